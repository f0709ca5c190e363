import type { Context } from "../../cli/context.js";
import { UserError } from "../../cli/errors.js";
import { identitySource, readIdentities } from "../../secrets/identity.js";
import { readStore } from "../../secrets/store.js";
import { inventoryDir, requireInventory, shortPath } from "./open.js";

export async function run(ctx: Context): Promise<number> {
  const { inventory } = requireInventory(ctx);
  const identities = readIdentities(
    identitySource(inventoryDir(inventory), inventory.secrets.identityFile),
  );
  const read = await readStore(inventory.secrets.file, identities);
  if (read.state !== "open") {
    throw new UserError(`no readable secrets store at ${shortPath(inventory.secrets.file)}`, {
      hint:
        read.state === "missing"
          ? `Run \`provision secrets init -i ${ctx.inventoryFile}\`.`
          : "Set PROVISION_AGE_IDENTITY_FILE.",
    });
  }
  const names = {
    shared: Object.keys(read.data.shared).sort(),
    hosts: Object.fromEntries(
      Object.entries(read.data.hosts).map(([h, s]) => [h, Object.keys(s).sort()]),
    ),
  };
  if (ctx.out.options.json) {
    ctx.out.json(names);
    return 0;
  }
  for (const [h, list] of Object.entries(names.hosts)) ctx.out.line(`${h}: ${list.join(", ")}`);
  if (names.shared.length > 0) ctx.out.line(`shared: ${names.shared.join(", ")}`);
  return 0;
}
