import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { CheckOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("check")
    .description(
      "a health check for people and monitors (exit 0 ok, 1 warning, 2 critical, 3 unknown)",
    )
    .option("--host <name>", "check only this host")
    .option("-l, --limit <pattern>", "check the hosts a pattern selects (as plan --limit)")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nExit codes follow the monitoring plugin convention, unlike other commands: 0 ok, 1 warning,\n2 critical, 3 unknown (bad input, a host that cannot be reached). It changes nothing.\n\nExample:\n  $ provision check -i inventory.yaml --host matrix --json",
    )
    .action(runner<CheckOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
