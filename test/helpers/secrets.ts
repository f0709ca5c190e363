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
 * The store an end-to-end inventory names, for every host of the set, with a throwaway identity
 * in DIR/age.txt; returns the environment that points the CLI at that identity.
 */
export async function storeForHosts(
  inventory: string,
  dir: string,
  hosts: string[],
): Promise<Record<string, string>> {
  const identityFile = join(dir, "age.txt");
  const loaded = loadInventory(inventory);
  await makeStore(loaded.inventory?.secrets.file as string, identityFile, hosts);
  return { PROVISION_AGE_IDENTITY_FILE: identityFile };
}
