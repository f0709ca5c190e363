import { writeFileSync } from "node:fs";
import { generateIdentity } from "age-encryption";
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
