import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("validate")
    .description(
      "check the inventory and its secrets store; report every problem at once (exit 1 on errors)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ provision validate -i inventory.yaml\n  $ provision validate -i inventory.yaml --json   # diagnostics for CI annotations",
    )
    .action(runner(async (ctx) => (await import("./run.js")).run(ctx)));
}
