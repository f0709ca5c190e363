import type { Context } from "../../cli/context.js";
import { hasErrors, sortDiagnostics } from "../../diagnostics.js";
import { EXIT_ERROR, EXIT_OK } from "../../errors.js";
import { loadInventory } from "../../inventory/load.js";
import { checkSecrets } from "../../secrets/check.js";
import { renderValidate } from "../../views/validate.js";

export async function run(ctx: Context): Promise<number> {
  const loaded = loadInventory(ctx.inventoryFile);
  let diagnostics = loaded.diagnostics;
  if (loaded.inventory) {
    const secrets = await checkSecrets(loaded.inventory, loaded.secretRefs, false);
    diagnostics = sortDiagnostics([...diagnostics, ...secrets.diagnostics]);
  }
  const valid = !hasErrors(diagnostics);
  renderValidate(ctx.out, {
    file: ctx.inventoryFile,
    valid,
    hosts: loaded.inventory?.hosts.map((h) => h.name) ?? [],
    diagnostics,
  });
  return valid ? EXIT_OK : EXIT_ERROR;
}
