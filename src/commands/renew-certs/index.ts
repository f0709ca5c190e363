import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import { LIMIT_HELP } from "../../cli/limit.js";
import type { RenewCertsOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("renew-certs")
    .description(
      "renew each host's certificate now when due (or always with --force) and deploy it",
    )
    .option("--host <name>", "one host only")
    .option("-l, --limit <pattern>", LIMIT_HELP)
    .option("--force", "renew even when the certificate is not due")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ provision renew-certs -i inventory.yaml\n  $ provision renew-certs -i inventory.yaml --host matrix --force",
    )
    .action(
      runner<RenewCertsOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)),
    );
}
