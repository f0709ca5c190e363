import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("schema")
    .description(
      "print the inventory's JSON Schema, for editors and CI checks of your own inventory",
    )
    .addHelpText(
      "after",
      "\nEditors that read yaml-language-server comments then complete and check the inventory.\n\nExample:\n  $ provision schema > inventory.schema.json\n  # first line of inventory.yaml:\n  # yaml-language-server: $schema=./inventory.schema.json",
    )
    .action(runner(async (ctx) => (await import("./run.js")).run(ctx)));
}
