import { Command, CommanderError } from "commander";
import { register as registerApply } from "../commands/apply/index.js";
import { register as registerPlan } from "../commands/plan/index.js";
import { register as registerRegisterUser } from "../commands/register-user/index.js";
import { register as registerRender } from "../commands/render/index.js";
import { register as registerRenewCerts } from "../commands/renew-certs/index.js";
import { register as registerSecrets } from "../commands/secrets/index.js";
import { register as registerUpgradePostgres } from "../commands/upgrade-postgres/index.js";
import { register as registerValidate } from "../commands/validate/index.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../errors.js";
import { redact } from "../secrets/redact.js";
import { escapeTerminal } from "../util/text.js";
import { colorWanted, Output } from "../views/output.js";
import type { CommonOptions, Context, Runner } from "./context.js";

/**
 * The one error policy: commands return exit codes; a UserError prints its message and hint
 * (exit 1); anything else is a bug, printed without a stack trace unless --debug.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  let debug = argv.includes("--debug");
  const program = new Command("provision");
  program
    .description("Provision a hardened Matrix homeserver on FreeBSD from one inventory, over SSH.")
    .version(await version(), "-V, --version")
    .option("-i, --inventory <file>", "inventory file", "inventory.yaml")
    .option("--json", "machine-readable output", false)
    .option("--no-color", "no colours (also when NO_COLOR is set)")
    .option("--debug", "show stack traces for internal errors", false)
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
    });

  const runner: Runner =
    (action) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const opts = cmd.optsWithGlobals() as CommonOptions & Record<string, unknown>;
      debug = opts.debug;
      const out = new Output({ json: opts.json, color: colorWanted(opts.color) });
      const ctx: Context = { inventoryFile: opts.inventory, out, debug };
      exitCode = await action(ctx, opts, cmd.args);
    };
  registerValidate(program, runner);
  registerSecrets(program, runner);
  registerRender(program, runner);
  registerPlan(program, runner);
  registerApply(program, runner);
  registerRenewCerts(program, runner);
  registerUpgradePostgres(program, runner);
  registerRegisterUser(program, runner);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    if (err instanceof UserError) {
      // Messages may quote a host's output: control characters are made visible.
      process.stderr.write(`${escapeTerminal(redact(`error: ${err.message}`))}\n`);
      if (err.hint) process.stderr.write(`${escapeTerminal(redact(`  ${err.hint}`))}\n`);
      return EXIT_ERROR;
    }
    const e = err as Error;
    process.stderr.write(
      `${escapeTerminal(redact(`internal error: ${e?.message ?? String(err)}`))}\n`,
    );
    process.stderr.write(
      debug
        ? `${redact(e?.stack ?? "")}\n`
        : "  This is a bug in provision; run again with --debug for the stack trace.\n",
    );
    return EXIT_ERROR;
  }
  return exitCode;
}

async function version(): Promise<string> {
  const { readFileSync } = await import("node:fs");
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
