import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { RestoreOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("restore")
    .description(
      "put a backup back onto a host serving the same server_name, then verify it against its manifest",
    )
    .requiredOption("--host <name>", "the homeserver")
    .requiredOption("--from <dir>", "a backup directory made by `provision backup`")
    .option("--yes", "restore without asking (after the backup is verified)")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nThe backup's checksums are verified before the host is contacted; a damaged backup is\nrefused. The host's current database, media store and files are kept under\n'before-restore' names.\n\nExample:\n  $ provision restore -i inventory.yaml --host matrix --from backups/matrix-20260101T000000Z",
    )
    .action(runner<RestoreOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
