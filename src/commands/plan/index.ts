import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import { LIMIT_HELP } from "../../cli/limit.js";
import type { PlanOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("plan")
    .description(
      "show what apply would change on each host (read-only: facts are gathered over SSH)",
    )
    .option("--host <name>", "plan one host only")
    .option(
      "--allow-downgrade",
      "let versions.synapse go below the installed Synapse (its schema may not go back: restore a dump of that version)",
    )
    .option("-l, --limit <pattern>", LIMIT_HELP)
    .option(
      "--out <file>",
      "save the plan with the facts it was made from (no secrets) for `apply FILE`",
    )
    .option("--concurrency <n>", "hosts planned in parallel", "10")
    .option("--assume-fresh", "plan against a blank FreeBSD host without connecting (offline)")
    .option(
      "--detailed-exitcode",
      "exit 0 when there are no changes, 2 when there are, 1 on errors",
    )
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ provision plan -i inventory.yaml\n  $ provision plan --assume-fresh -i inventory.example.yaml   # offline preview\n  $ provision plan -i inventory.yaml --json --detailed-exitcode\n  $ provision plan -i inventory.yaml --limit europe --out europe.plan",
    )
    .action(runner<PlanOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)));
}
