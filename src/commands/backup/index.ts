import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { BackupOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("backup")
    .description(
      "copy a host's Synapse database, roles, media, signing key and configuration to this machine",
    )
    .requiredOption("--host <name>", "the homeserver")
    .option("--to <dir>", "where the backup directory is created", "backups")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nSynapse stops while its database is dumped (the dump and the row counts in MANIFEST.json\nare the same state) and starts again. Files are 0600 in a 0700 directory.\n\nExample:\n  $ provision backup -i inventory.yaml --host matrix --to /srv/backups",
    )
    .action(runner<BackupOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
