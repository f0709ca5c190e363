import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { UnlockOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("unlock")
    .description(
      "remove an apply lock nobody holds any more (a lock held by a live apply is refused)",
    )
    .requiredOption("--host <name>", "the host")
    .option("-y, --yes", "do not ask for confirmation (needed when not run from a terminal)")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nAn apply's lock goes with its SSH session; this is for a lock left by an older provision\nor a lock file without a holder.\n\nExample:\n  $ provision unlock -i inventory.yaml --host matrix",
    )
    .action(runner<UnlockOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
