import { dirname, relative } from "node:path";
import { UserError } from "../../errors.js";
import type { Inventory } from "../../inventory/types.js";
import { identitySource, readIdentities } from "../../secrets/identity.js";
import { readStore, type SecretsData, type StoreProblem } from "../../secrets/store.js";

export { requireInventory } from "../../cli/require-inventory.js";

export function shortPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith("../../") ? rel : p;
}

export function inventoryDir(inv: Inventory): string {
  return dirname(inv.file);
}

/**
 * The decrypted store and the identities that opened it, or a UserError saying what to do.
 * Problems listed in `tolerate` are returned instead (the commands that repair them).
 */
export async function openStore(
  inventory: Inventory,
  inventoryFile: string,
  tolerate: readonly StoreProblem["kind"][] = [],
): Promise<{
  data: SecretsData;
  identities: string[];
  problems: StoreProblem[];
  recipient: string;
}> {
  const identities = readIdentities(
    identitySource(inventoryDir(inventory), inventory.secrets.identityFile),
  );
  const read = await readStore(inventory.secrets.file, identities);
  if (read.state !== "open" || !identities) {
    throw new UserError(`no readable secrets store at ${shortPath(inventory.secrets.file)}`, {
      hint:
        read.state === "missing"
          ? `Run \`provision secrets init -i ${inventoryFile}\`.`
          : "Set PROVISION_AGE_IDENTITY_FILE (or PROVISION_AGE_IDENTITY) to the identity the store was created with.",
    });
  }
  const fatal = read.problems.find((p) => !tolerate.includes(p.kind));
  if (fatal) throw new UserError(fatal.summary, { hint: fatal.hint });
  return { data: read.data, identities, problems: read.problems, recipient: read.recipient };
}
