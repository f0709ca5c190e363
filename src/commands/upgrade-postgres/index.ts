import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import { PATHS } from "../../freebsd/paths.js";

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
      `where postgres writes the dump on the host (default ${PATHS.upgradeDumpDir}); --rollback and --cleanup use the recorded one`,
    )
    .option(
      "--rollback",
      "go back to the old server and data directory (while it is kept); a verified new cluster is dumped and kept first",
    )
    .option(
      "--no-dump",
      "with --rollback after verification: skip the dump of the new cluster (its data directory is kept in any case)",
    )
    .option(
      "--cleanup",
      "after a finished upgrade: remove the kept old data directory and the dump it recorded",
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
