import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { LogsOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("logs [source]")
    .description(
      "show a host's logs: synapse (default), apache, postgresql, turnserver or provision",
    )
    .requiredOption("--host <name>", "the homeserver")
    .option("-f, --follow", "keep printing new lines until interrupted (tail -F)")
    .option("-n, --lines <n>", "how many of the last lines", "100")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nExample:\n  $ provision logs -i inventory.yaml --host matrix apache --lines 50",
    )
    .action(
      runner<LogsOptions>(async (ctx, opts, args) =>
        (await import("./run.js")).run(ctx, opts, args),
      ),
    );
}
