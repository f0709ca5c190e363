// The one error policy's output (cli/main.ts decides, this renders): human text on standard
// error, or `diagnostic` events on standard output with --json, so a JSON reader sees every
// error in the same stream as everything else.
import type { Diagnostic } from "../diagnostics.js";
import { diagnosticEvent, formatDiagnostic, stopDiagnostic } from "./diagnostics.js";
import type { Output } from "./output.js";

/** Bad input: the diagnostics behind it (if any), then the message and what to do next. */
export function renderStop(
  out: Output,
  stop: { message: string; hint?: string | undefined; diagnostics: readonly Diagnostic[] },
): void {
  if (out.options.json) {
    for (const d of stop.diagnostics) diagnosticEvent(out, d);
    diagnosticEvent(out, stopDiagnostic(stop.message, stop.hint));
    return;
  }
  for (const d of stop.diagnostics) out.error(formatDiagnostic(d, out));
  out.error(`error: ${stop.message}`);
  if (stop.hint) out.error(`  ${stop.hint}`);
}

/** A bug: its message, and the stack trace only when asked for with --debug. */
export function renderInternalError(out: Output, err: unknown, debug: boolean): void {
  const e = err as Error | undefined;
  const message = `internal error: ${e?.message ?? String(err)}`;
  const detail = debug
    ? (e?.stack ?? "")
    : "This is a bug in provision; run again with --debug for the stack trace.";
  if (out.options.json) {
    diagnosticEvent(out, { severity: "error", summary: message, detail });
    return;
  }
  out.error(message);
  out.error(debug ? detail : `  ${detail}`);
}
