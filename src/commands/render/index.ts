import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import { LIMIT_HELP } from "../../cli/limit.js";
import type { RenderOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("render")
    .description("write every config file for each host to a local directory, offline (no SSH)")
    .requiredOption("--out <dir>", "output directory: files land at DIR/<host>/<absolute path>")
    .option("--host <name>", "render one host only")
    .option("-l, --limit <pattern>", LIMIT_HELP)
    .addHelpText(
      "after",
      "\nDIR/<host>/MANIFEST lists each file's path, owner:group, mode and sha256.\nThe output holds secrets: it is created readable by you only.\n\nExample:\n  $ provision render -i inventory.yaml --out rendered/",
    )
    .action(runner<RenderOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
