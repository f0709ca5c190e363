import type { Context } from "../../cli/context.js";
import { renderSecretNames } from "../../views/secrets.js";
import { openStore, requireInventory } from "./open.js";

export async function run(ctx: Context): Promise<number> {
  const { inventory } = requireInventory(ctx);
  // Listing names is how a store is checked before `secrets init --reseal`: it never refuses.
  const read = await openStore(inventory, ctx.inventoryFile, ["seal", "weak"]);
  for (const p of read.problems) ctx.out.error(`warning: ${p.summary}`);
  const names = {
    shared: Object.keys(read.data.shared).sort(),
    hosts: Object.fromEntries(
      Object.entries(read.data.hosts).map(([h, s]) => [h, Object.keys(s).sort()]),
    ),
  };
  renderSecretNames(ctx.out, names);
  return 0;
}
