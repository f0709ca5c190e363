import type { Context } from "../../cli/context.js";
import { hasErrors, sortDiagnostics } from "../../diagnostics.js";
import { EXIT_ERROR, EXIT_OK } from "../../errors.js";
import { loadInventory } from "../../inventory/load.js";
import { checkSecrets } from "../../secrets/check.js";
import { counts, countsText, diagnosticJson, formatDiagnostic } from "../../views/diagnostics.js";

export async function run(ctx: Context): Promise<number> {
  const { out, inventoryFile } = ctx;
  const loaded = loadInventory(inventoryFile);
  let diagnostics = loaded.diagnostics;
  if (loaded.inventory) {
    const secrets = await checkSecrets(loaded.inventory, loaded.secretRefs, false);
    diagnostics = sortDiagnostics([...diagnostics, ...secrets.diagnostics]);
  }
  const valid = !hasErrors(diagnostics);
  if (out.options.json) {
    const { errors, warnings } = counts(diagnostics);
    out.json({
      format_version: "1.0",
      valid,
      error_count: errors,
      warning_count: warnings,
      hosts: loaded.inventory?.hosts.map((h) => h.name) ?? [],
      diagnostics: diagnostics.map(diagnosticJson),
    });
    return valid ? EXIT_OK : EXIT_ERROR;
  }
  for (const d of diagnostics) out.line(formatDiagnostic(d, out));
  if (valid) {
    const n = loaded.inventory?.hosts.length ?? 0;
    const warn = diagnostics.length > 0 ? ` (${countsText(diagnostics)})` : "";
    out.line(
      `${out.paint("green", "Valid:")} ${inventoryFile}, ${n} host${n === 1 ? "" : "s"}${warn}.`,
    );
    return EXIT_OK;
  }
  out.line(`${out.paint("red", "Invalid:")} ${inventoryFile}: ${countsText(diagnostics)}.`);
  return EXIT_ERROR;
}
