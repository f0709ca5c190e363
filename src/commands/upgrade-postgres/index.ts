import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("upgrade-postgres")
    .description(
      "move a host's PostgreSQL to a newer major by dump and restore, verified, with automatic rollback",
    )
    .requiredOption("--host <name>", "the host to upgrade")
    .option("--to <major>", "target PostgreSQL major (e.g. 17)")
    .option("-y, --yes", "do not ask for confirmation")
    .option(
      "--dump-dir <path>",
      "where the dump, row counts and state go on the host",
      "/var/db/postgres/upgrade",
    )
    .option("--rollback", "go back to the old server and data directory (while it is kept)")
    .option(
      "--cleanup",
      "after a successful upgrade: remove the kept old data directory and the dump",
    )
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ provision upgrade-postgres -i inventory.yaml --host matrix --to 17\n  $ provision upgrade-postgres -i inventory.yaml --host matrix --cleanup",
    )
    .action(runner(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
