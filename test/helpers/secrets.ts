import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateIdentity } from "age-encryption";
import { loadInventory } from "../../src/inventory/load.js";
import { REQUIRED_SECRETS } from "../../src/secrets/catalog.js";
import { emptyStore, type SecretsData, writeStore } from "../../src/secrets/store.js";

/** A throwaway identity file plus a store holding every required secret for the given hosts. */
export async function makeStore(
  storeFile: string,
  identityFile: string,
  hosts: string[],
  fixed: Record<string, string> = {},
): Promise<SecretsData> {
  const identity = await generateIdentity();
  writeFileSync(identityFile, `${identity}\n`, { mode: 0o600 });
  const data = emptyStore();
  for (const h of hosts) {
    data.hosts[h] = Object.fromEntries(
      REQUIRED_SECRETS.map((s) => [s.name, fixed[s.name] ?? s.generate()]),
    );
  }
  await writeStore(storeFile, data, [identity]);
  return data;
}

/**
 * What provision needs to run against a set of test hosts: their inventory (DIR/inventory.yaml,
 * as written when they started, or as a test changed it since) and a fresh secrets store for
 * every host, its age identity in DIR/age.txt.
 */
export async function inventoryWithStore(
  set: { dir: string; hosts: { name: string }[] },
  fixed: Record<string, string> = {},
): Promise<{ inv: string; env: Record<string, string> }> {
  const inv = join(set.dir, "inventory.yaml");
  const identity = join(set.dir, "age.txt");
  const storeFile = loadInventory(inv).inventory?.secrets.file;
  if (!storeFile) throw new Error(`${inv}: no secrets.file`);
  await makeStore(
    storeFile,
    identity,
    set.hosts.map((h) => h.name),
    fixed,
  );
  return { inv, env: { PROVISION_AGE_IDENTITY_FILE: identity } };
}
