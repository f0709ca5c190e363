import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { SecretsSetOptions } from "./set.js";

export function register(program: Command, runner: Runner): void {
  const secrets = program
    .command("secrets")
    .description(
      "manage the age-encrypted secrets store next to the inventory (values are never printed)",
    );
  secrets
    .command("init")
    .description("create the age identity (if none) and generate every secret the homeserver needs")
    .addHelpText(
      "after",
      "\nGenerates missing secrets with the system CSPRNG and keeps existing ones.\n\nExample:\n  $ provision secrets init -i inventory.yaml",
    )
    .action(runner(async (ctx) => (await import("./init.js")).run(ctx)));
  secrets
    .command("set <name>")
    .description(
      "store a secret read from standard input (e.g. an SMTP password referenced as { secret: NAME })",
    )
    .option("--host <name>", "store it for one host only (default: shared by all hosts)")
    .addHelpText(
      "after",
      '\nExample:\n  $ printf %s "$SMTP_PASSWORD" | provision secrets set smtp_password -i inventory.yaml',
    )
    .action(
      runner<SecretsSetOptions>(async (ctx, opts, args) =>
        (await import("./set.js")).run(ctx, opts, args),
      ),
    );
  secrets
    .command("list")
    .description("list secret names per host (never their values)")
    .addHelpText("after", "\nExample:\n  $ provision secrets list -i inventory.yaml")
    .action(runner(async (ctx) => (await import("./list.js")).run(ctx)));
}
