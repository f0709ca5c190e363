import { dirname, relative } from "node:path";
import type { Context } from "../../cli/context.js";
import { UserError } from "../../cli/errors.js";
import { hasErrors } from "../../diagnostics.js";
import { type LoadResult, loadInventory } from "../../inventory/load.js";
import type { Inventory } from "../../inventory/types.js";
import { formatDiagnostic } from "../../views/diagnostics.js";

/** Loads a valid inventory or stops with its diagnostics: secrets commands need a sound inventory. */
export function requireInventory(ctx: Context): { inventory: Inventory; loaded: LoadResult } {
  const loaded = loadInventory(ctx.inventoryFile);
  if (!loaded.inventory || hasErrors(loaded.diagnostics)) {
    for (const d of loaded.diagnostics) ctx.out.error(formatDiagnostic(d));
    throw new UserError(`inventory ${ctx.inventoryFile} is invalid; fix the errors above first`);
  }
  return { inventory: loaded.inventory, loaded };
}

export function shortPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith("../../") ? rel : p;
}

export function inventoryDir(inv: Inventory): string {
  return dirname(inv.file);
}
