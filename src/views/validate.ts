// validate's report: every diagnostic, then the verdict; with --json one document (the shape
// `terraform validate -json` has) for CI annotations.
import type { Diagnostic } from "../diagnostics.js";
import { counts, countsText, diagnosticJson, formatDiagnostic } from "./diagnostics.js";
import type { Output } from "./output.js";

export interface ValidateReport {
  file: string;
  valid: boolean;
  /** The hosts of a readable inventory (none when it could not be read). */
  hosts: string[];
  diagnostics: Diagnostic[];
}

export function renderValidate(out: Output, r: ValidateReport): void {
  if (out.options.json) {
    const { errors, warnings } = counts(r.diagnostics);
    out.document({
      format_version: "1.0",
      valid: r.valid,
      error_count: errors,
      warning_count: warnings,
      hosts: r.hosts,
      diagnostics: r.diagnostics.map(diagnosticJson),
    });
    return;
  }
  for (const d of r.diagnostics) out.line(formatDiagnostic(d, out));
  if (r.valid) {
    const n = r.hosts.length;
    const warn = r.diagnostics.length > 0 ? ` (${countsText(r.diagnostics)})` : "";
    out.line(`${out.paint("green", "Valid:")} ${r.file}, ${n} host${n === 1 ? "" : "s"}${warn}.`);
    return;
  }
  out.line(`${out.paint("red", "Invalid:")} ${r.file}: ${countsText(r.diagnostics)}.`);
}
