import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import { LIMIT_HELP } from "../../cli/limit.js";
import type { ApplyOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("apply")
    .description(
      "plan, ask, then converge each host: ordered idempotent steps, stopping at the first failure",
    )
    .option("--host <name>", "apply to one host only")
    .option("-l, --limit <pattern>", LIMIT_HELP)
    .option("-y, --yes", "do not ask for confirmation (needed when not run from a terminal)")
    .option("--concurrency <n>", "hosts in parallel", "4")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ provision apply -i inventory.yaml\n  $ provision apply -i inventory.yaml --host matrix --yes",
    )
    .action(runner<ApplyOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
