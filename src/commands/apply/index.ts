import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import { LIMIT_HELP } from "../../cli/limit.js";
import type { ApplyOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("apply")
    .argument(
      "[plan-file]",
      "a plan saved by `plan --out FILE`: applied exactly, or refused if a host changed",
    )
    .description(
      "plan (under each host's lock), ask, then converge each host: ordered steps, each host on its own",
    )
    .option("--host <name>", "apply to one host only")
    .option("-l, --limit <pattern>", LIMIT_HELP)
    .option("-y, --yes", "do not ask for confirmation (needed when not run from a terminal)")
    .option("--concurrency <n>", "hosts in parallel", "4")
    .option(
      "--allow-downgrade",
      "let versions.synapse go below the installed Synapse (its schema may not go back: restore a dump of that version)",
    )
    .option(
      "--fail-fast",
      "after the first failed host, skip hosts not yet started and stop the others after their current step",
    )
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ provision apply -i inventory.yaml\n  $ provision apply -i inventory.yaml --limit europe --yes\n  $ provision plan -i inventory.yaml --out plan.json && provision apply -i inventory.yaml plan.json",
    )
    .action(
      runner<ApplyOptions>(async (ctx, opts, args) =>
        (await import("./run.js")).run(ctx, opts, args),
      ),
    );
}
