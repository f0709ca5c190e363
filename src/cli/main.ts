import { Command, CommanderError } from "commander";
import { register as registerApply } from "../commands/apply/index.js";
import { register as registerBackup } from "../commands/backup/index.js";
import { register as registerCheck } from "../commands/check/index.js";
import { register as registerCompletion } from "../commands/completion/index.js";
import { register as registerLogs } from "../commands/logs/index.js";
import { register as registerPlan } from "../commands/plan/index.js";
import { register as registerRegisterUser } from "../commands/register-user/index.js";
import { register as registerRender } from "../commands/render/index.js";
import { register as registerRenewCerts } from "../commands/renew-certs/index.js";
import { register as registerRestore } from "../commands/restore/index.js";
import { register as registerSchema } from "../commands/schema/index.js";
import { register as registerSecrets } from "../commands/secrets/index.js";
import { register as registerUnlock } from "../commands/unlock/index.js";
import { register as registerUpdate } from "../commands/update/index.js";
import { register as registerUpgradePostgres } from "../commands/upgrade-postgres/index.js";
import { register as registerValidate } from "../commands/validate/index.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../errors.js";
import { renderInternalError, renderStop } from "../views/errors.js";
import { colorWanted, dropOutputOnClosedPipe, Output } from "../views/output.js";
import type { CommonOptions, Context, Runner } from "./context.js";
import { habitError } from "./habits.js";

/**
 * The one error policy: commands return exit codes; a UserError prints its diagnostics, message
 * and hint (exit 1); anything else is a bug, printed without a stack trace unless --debug. With
 * --json both are `diagnostic` events on standard output.
 */
export async function main(argv: string[]): Promise<number> {
  dropOutputOnClosedPipe(process.stdout);
  dropOutputOnClosedPipe(process.stderr);
  let exitCode = EXIT_OK;
  let debug = argv.includes("--debug");
  const v = await version();
  // Replaced by the command's own once its options are parsed; this one serves errors before that.
  let out = new Output({ json: argv.includes("--json"), color: false, version: v });
  const program = new Command("provision");
  program
    .description("Provision a hardened Matrix homeserver on FreeBSD from one inventory, over SSH.")
    .version(v, "-V, --version")
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
      // Usage errors follow the same policy: with --json a diagnostic event, not text.
      outputError: (s, write) => {
        if (!out.options.json) return write(s);
        const [message = "", ...hint] = s
          .trim()
          .replace(/^error: /, "")
          .split("\n");
        renderStop(out, { message, hint: hint.join(" "), diagnostics: [] });
      },
    });

  const runner: Runner =
    (action) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const opts = cmd.optsWithGlobals() as CommonOptions;
      debug = opts.debug;
      out = new Output({
        json: opts.json,
        color: colorWanted(opts.color, process.stdout),
        colorErr: colorWanted(opts.color, process.stderr),
        version: v,
      });
      const ctx: Context = { inventoryFile: opts.inventory, out, debug };
      // commander parsed the options this command declared: the action's own interface.
      exitCode = await action(ctx, opts as unknown as Parameters<typeof action>[1], cmd.args);
    };
  registerValidate(program, runner);
  registerSecrets(program, runner);
  registerRender(program, runner);
  registerPlan(program, runner);
  registerApply(program, runner);
  registerRenewCerts(program, runner);
  registerUpgradePostgres(program, runner);
  registerUpdate(program, runner);
  registerRegisterUser(program, runner);
  registerBackup(program, runner);
  registerRestore(program, runner);
  registerLogs(program, runner);
  registerCheck(program, runner);
  registerSchema(program, runner);
  registerCompletion(program, runner);
  registerUnlock(program, runner);

  try {
    const habit = habitError(argv.slice(2));
    if (habit) throw habit;
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    if (err instanceof UserError) renderStop(out, err);
    else renderInternalError(out, err, debug);
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
