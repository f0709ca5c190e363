// The secrets store: a JSON document encrypted with age to every recipient it lists, sealed
// (seal.ts) so that a store planted by someone without an identity is detected.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { UserError } from "../errors.js";
import { readBoundedFile } from "../util/files.js";
import type { SecretsData, StoreProblem } from "./data.js";
import { parseLayout, valueProblems } from "./layout.js";
import { registerSecret } from "./redact.js";
import { sealKey, sealMacs, sealProblem } from "./seal.js";

export { emptyStore, lookupSecret, type SecretsData, type StoreProblem } from "./data.js";

const MAX_STORE_BYTES = 1024 * 1024;

/** The public recipient of each identity; a mistyped identity is an error that never shows it. */
export async function recipientsOf(identities: string[]): Promise<string[]> {
  const { identityToRecipient } = await import("age-encryption");
  const out: string[] = [];
  for (const [i, id] of identities.entries()) {
    try {
      out.push(await identityToRecipient(id));
    } catch {
      throw new UserError(
        `the age identity${identities.length > 1 ? ` (key ${i + 1})` : ""} is not a valid age secret key (mistyped or truncated?)`,
        { hint: "Copy the AGE-SECRET-KEY-1... line again from where the identity is kept." },
      );
    }
  }
  return out;
}

export type StoreRead =
  | { state: "missing" }
  | { state: "locked" } // exists, but no identity to open it
  | { state: "open"; data: SecretsData; problems: StoreProblem[]; recipient: string };

/** Opens the store; a wrong identity or a damaged file is a UserError with what to do. */
export async function readStore(
  file: string,
  identities: string[] | undefined,
): Promise<StoreRead> {
  let bytes: Buffer;
  try {
    bytes = readBoundedFile(file, MAX_STORE_BYTES);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state: "missing" };
    throw new UserError(`cannot read secrets store ${file}: ${(err as Error).message}`, {
      hint: "secrets.file must name the age-encrypted store (a regular file), e.g. inventory.secrets.age.",
    });
  }
  if (!identities) return { state: "locked" };
  const recipients = await recipientsOf(identities);
  // age pulls in its crypto libraries: load them only when a store is really opened.
  const { armor, Decrypter } = await import("age-encryption");
  let plain: string;
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  try {
    // As a stream, read here: age's own "text" output goes through fetch's Response, whose
    // first use loads Node's HTTP client (about 20 ms of a plan).
    const sealed = armor.decode(bytes.toString("utf8"));
    const input = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(sealed);
        c.close();
      },
    });
    const chunks: Uint8Array[] = [];
    for await (const chunk of await d.decrypt(input)) chunks.push(chunk);
    plain = Buffer.concat(chunks).toString("utf8");
  } catch (err) {
    // age's messages may quote the input; only say which kind of failure it was.
    const msg = (err as Error).message;
    const why = /no identity matched/i.test(msg)
      ? "none of the identities is among its recipients"
      : "it is damaged or not an age-encrypted file";
    throw new UserError(`cannot decrypt secrets store ${file}: ${why}`, {
      hint: "Use the age identity the store was created with (PROVISION_AGE_IDENTITY_FILE or secrets.identity_file).",
    });
  }
  const { data, macs, legacy } = parseLayout(file, plain);
  for (const group of [data.shared, ...Object.values(data.hosts)]) {
    for (const v of Object.values(group)) registerSecret(v);
  }
  for (const v of Object.values(data.seal_keys)) registerSecret(v);
  // The identity that opened it decides whose seal is checked: the first one among the recipients.
  const index = Math.max(
    0,
    recipients.findIndex((r) => data.recipients.includes(r)),
  );
  const recipient = recipients[index] as string;
  const seal = sealProblem(data, macs, identities[index] as string, recipient, legacy);
  return {
    state: "open",
    data,
    problems: [...(seal ? [seal] : []), ...valueProblems(data)],
    recipient,
  };
}

/**
 * Seals with the writer's identity (its own seal key; the others' are kept) and encrypts to every
 * recipient the store lists plus the writer's; replaces the file atomically (mode 0600).
 */
export async function writeStore(
  file: string,
  data: SecretsData,
  identities: string[],
): Promise<void> {
  const { armor, Encrypter } = await import("age-encryption");
  const own = await recipientsOf(identities);
  for (const [i, r] of own.entries()) {
    if (!data.recipients.includes(r)) data.recipients.push(r);
    data.seal_keys[r] = sealKey(identities[i] as string).toString("base64");
  }
  for (const r of Object.keys(data.seal_keys)) {
    if (!data.recipients.includes(r)) delete data.seal_keys[r];
  }
  const macs = sealMacs(data);
  const e = new Encrypter();
  for (const r of data.recipients) e.addRecipient(r);
  const armored = armor.encode(await e.encrypt(JSON.stringify({ ...data, macs })));
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
