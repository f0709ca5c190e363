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
    .option(
      "--reseal",
      "seal the store for your identity after checking it (a new recipient, an older store, or a store changed by someone else)",
    )
    .action(runner(async (ctx, opts) => (await import("./init.js")).run(ctx, opts)));
  secrets
    .command("set <name>")
    .description(
      "store a secret read from standard input (e.g. an SMTP password referenced as { secret: NAME })",
    )
    .option("--host <name>", "store it for one host only (default: shared by all hosts)")
    .option("--force", "replace the signing key (the old one is kept in old_signing_keys)")
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
  secrets
    .command("recipients <action> [recipients...]")
    .description(
      "list, add or remove the age recipients the store is encrypted to (action: list, add, remove)",
    )
    .addHelpText(
      "after",
      "\nThe recipients are recorded inside the store; every write encrypts to all of them.\n\nExamples:\n  $ provision secrets recipients list -i inventory.yaml\n  $ provision secrets recipients add age1... -i inventory.yaml",
    )
    .action(
      runner(async (ctx, opts, args) => {
        if (!["list", "add", "remove"].includes(args[0] ?? "")) {
          const { UserError } = await import("../../errors.js");
          throw new UserError(`unknown action '${args[0]}': use list, add or remove`);
        }
        return (await import("./recipients.js")).run(ctx, opts, args);
      }),
    );
}
