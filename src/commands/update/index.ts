import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { UpdateOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("update")
    .description(
      "upgrade a host's packages (pkg upgrade) and FreeBSD patch release (freebsd-update), after a boot environment on ZFS",
    )
    .requiredOption("--host <name>", "the host to update")
    .option("-y, --yes", "do not ask for confirmation (needed when not run from a terminal)")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nShows what `pkg upgrade -n` and `freebsd-update fetch` would change first. A package job that\nwould remove a package the recipes install, or replace the PostgreSQL major, is refused.\n\nExample:\n  $ provision update -i inventory.yaml --host matrix",
    )
    .action(runner<UpdateOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
