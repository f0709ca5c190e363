import { dirname, relative } from "node:path";
import type { Inventory } from "../../inventory/types.js";

export { requireInventory } from "../../cli/require-inventory.js";

export function shortPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith("../../") ? rel : p;
}

export function inventoryDir(inv: Inventory): string {
  return dirname(inv.file);
}
