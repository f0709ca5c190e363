import type { Diagnostic } from "../diagnostics.js";
import type { Output } from "./output.js";

/** FILE:LINE:COL: severity: summary, as compilers print it, so editors and CI can link to it. */
export function formatDiagnostic(d: Diagnostic, out?: Output): string {
  const where = d.range ? `${d.range.file}:${d.range.start.line}:${d.range.start.column}: ` : "";
  const sev = out ? out.paint(d.severity === "error" ? "red" : "yellow", d.severity) : d.severity;
  const detail = d.detail ? `\n  ${d.detail}` : "";
  return `${where}${sev}: ${d.summary}${detail}`;
}

export function counts(diags: readonly Diagnostic[]): { errors: number; warnings: number } {
  return {
    errors: diags.filter((d) => d.severity === "error").length,
    warnings: diags.filter((d) => d.severity === "warning").length,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function countsText(diags: readonly Diagnostic[]): string {
  const { errors, warnings } = counts(diags);
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/** Terraform-like machine-readable diagnostics (for CI annotations). */
export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity,
    summary: d.summary,
    detail: d.detail ?? "",
    ...(d.path !== undefined ? { path: d.path } : {}),
    ...(d.range
      ? {
          range: {
            filename: d.range.file,
            start: { line: d.range.start.line, column: d.range.start.column },
            end: { line: d.range.end.line, column: d.range.end.column },
          },
        }
      : {}),
  };
}

/** A diagnostic as an event of the --json stream, for one host when `host` is given. */
export function diagnosticEvent(out: Output, d: Diagnostic, host?: string): void {
  out.event(d.severity, d.summary, "diagnostic", {
    ...(host !== undefined ? { host } : {}),
    diagnostic: diagnosticJson(d),
  });
}

/** A stop with a message and what to do next (a UserError), as a diagnostic. */
export function stopDiagnostic(message: string, hint: string | undefined): Diagnostic {
  return { severity: "error", summary: message, ...(hint ? { detail: hint } : {}) };
}
