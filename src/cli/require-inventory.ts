import { hasErrors } from "../diagnostics.js";
import { UserError } from "../errors.js";
import { type LoadResult, loadInventory } from "../inventory/load.js";
import type { Inventory } from "../inventory/types.js";
import type { Context } from "./context.js";

/** Loads a valid inventory, or stops with its diagnostics before any host is contacted. */
export function requireInventory(ctx: Context): { inventory: Inventory; loaded: LoadResult } {
  const loaded = loadInventory(ctx.inventoryFile);
  if (!loaded.inventory || hasErrors(loaded.diagnostics)) {
    throw new UserError(`inventory ${ctx.inventoryFile} is invalid; fix the errors above first`, {
      diagnostics: loaded.diagnostics,
    });
  }
  return { inventory: loaded.inventory, loaded };
}
