import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { UserError } from "../errors.js";
import { registerSecret } from "./redact.js";

/** Decrypted content: per-host secrets, plus shared ones any host may reference. */
export interface SecretsData {
  version: 1;
  hosts: Record<string, Record<string, string>>;
  shared: Record<string, string>;
}

export function emptyStore(): SecretsData {
  return { version: 1, hosts: {}, shared: {} };
}

export function lookupSecret(data: SecretsData, host: string, name: string): string | undefined {
  return data.hosts[host]?.[name] ?? data.shared[name];
}

export type StoreRead =
  | { state: "missing" }
  | { state: "locked" } // exists, but no identity to open it
  | { state: "open"; data: SecretsData };

/** Opens the store; a wrong identity or a damaged file is a UserError with what to do. */
export async function readStore(
  file: string,
  identities: string[] | undefined,
): Promise<StoreRead> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state: "missing" };
    throw new UserError(`cannot read secrets store ${file}: ${(err as Error).message}`);
  }
  if (!identities) return { state: "locked" };
  // age pulls in its crypto libraries: load them only when a store is really opened.
  const { armor, Decrypter } = await import("age-encryption");
  let plain: string;
  try {
    const d = new Decrypter();
    for (const id of identities) d.addIdentity(id);
    plain = await d.decrypt(armor.decode(text), "text");
  } catch (err) {
    throw new UserError(`cannot decrypt secrets store ${file}: ${(err as Error).message}`, {
      hint: "Use the age identity the store was created with (PROVISION_AGE_IDENTITY_FILE or secrets.identity_file).",
    });
  }
  let data: SecretsData;
  try {
    data = JSON.parse(plain) as SecretsData;
  } catch {
    throw new UserError(`secrets store ${file} decrypts but is not valid JSON`);
  }
  if (data?.version !== 1 || typeof data.hosts !== "object" || typeof data.shared !== "object") {
    throw new UserError(`secrets store ${file} has an unknown layout (expected version 1)`);
  }
  for (const group of [data.shared, ...Object.values(data.hosts)]) {
    for (const v of Object.values(group)) registerSecret(v);
  }
  return { state: "open", data };
}

/** Encrypts to the identities' recipients and replaces the file atomically (mode 0600). */
export async function writeStore(
  file: string,
  data: SecretsData,
  identities: string[],
): Promise<void> {
  const { armor, Encrypter, identityToRecipient } = await import("age-encryption");
  const e = new Encrypter();
  for (const id of identities) e.addRecipient(await identityToRecipient(id));
  const armored = armor.encode(await e.encrypt(JSON.stringify(data)));
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, armored);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
