// The secrets store: a JSON document encrypted with age to every recipient it lists. Inside,
// a seal proves that whoever wrote it could open it: each recipient's seal key is derived from
// its identity (only identity holders know it), and a MAC over the content is kept per seal
// key. A store planted by someone who only knows the public recipients lacks valid seals.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { UserError } from "../errors.js";
import { readBoundedFile } from "../util/files.js";
import { describeControlChar, firstControlChar } from "../util/text.js";
import { registerSecret, weakSecretReason } from "./redact.js";
import { OLD_SIGNING_KEYS, parseOldSigningKeys, signingKeyProblem } from "./signing-key.js";

/** Decrypted content: per-host secrets, plus shared ones any host may reference. */
export interface SecretsData {
  version: 2;
  hosts: Record<string, Record<string, string>>;
  shared: Record<string, string>;
  /** Every age recipient the store is encrypted to. */
  recipients: string[];
  /** Seal key per recipient (base64), derived from its identity; see sealKey. */
  seal_keys: Record<string, string>;
}

/** A reason the store must not be used as it is, with what to do. */
export interface StoreProblem {
  kind: "seal" | "weak";
  summary: string;
  hint: string;
}

const MAX_STORE_BYTES = 1024 * 1024;
const RESEAL_HINT =
  "If you did not expect this, find out who changed the store (version control history). When every value is checked (`provision secrets list` shows the names), run `provision secrets init --reseal`.";

export function emptyStore(): SecretsData {
  return { version: 2, hosts: dict(), shared: dict(), recipients: [], seal_keys: dict() };
}

/** Maps without a prototype: a secret named `constructor` or `__proto__` is only ever a key. */
function dict<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

export function lookupSecret(data: SecretsData, host: string, name: string): string | undefined {
  const own = Object.hasOwn(data.hosts, host) ? data.hosts[host] : undefined;
  if (own && Object.hasOwn(own, name)) return own[name];
  return Object.hasOwn(data.shared, name) ? data.shared[name] : undefined;
}

/** The seal key of an identity: HKDF-SHA256 of the identity's secret key. */
export function sealKey(identity: string): Buffer {
  return Buffer.from(hkdfSync("sha256", identity, "provision secrets store", "seal v1", 32));
}

/** JSON with sorted keys, so the MAC does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function mac(key: Buffer, data: SecretsData): string {
  return createHmac("sha256", key).update(canonical(data)).digest("base64");
}

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

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

function layoutError(file: string, what: string): UserError {
  return new UserError(`secrets store ${file} ${what}`, {
    hint: "The store was not written by provision; restore it from version control or create a new one with `provision secrets init`.",
  });
}

/** Checks the decrypted JSON's shape: secret values are non-empty strings, nothing else. */
function parseLayout(
  file: string,
  plain: string,
): { data: SecretsData; macs: Record<string, string>; legacy: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(plain);
  } catch {
    throw layoutError(file, "decrypts but is not valid JSON");
  }
  const r = raw as Record<string, unknown> | null;
  if (!r || typeof r !== "object" || (r.version !== 1 && r.version !== 2)) {
    throw layoutError(file, "has an unknown layout (expected version 2)");
  }
  const strings = (v: unknown, where: string): Record<string, string> => {
    if (!v || typeof v !== "object" || Array.isArray(v)) {
      throw layoutError(
        file,
        `has ${where} = ${v === null ? "null" : Array.isArray(v) ? "a list" : typeof v}, expected a mapping of names to values`,
      );
    }
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== "string") {
        const kind =
          x === null
            ? "null"
            : Array.isArray(x)
              ? "a list"
              : typeof x === "object"
                ? "a mapping"
                : `a ${typeof x}`;
        throw layoutError(file, `has ${where}.${k} = ${kind}; every secret value must be a string`);
      }
    }
    return dict(Object.entries(v as Record<string, string>));
  };
  const hostsRaw = r.hosts;
  if (!hostsRaw || typeof hostsRaw !== "object" || Array.isArray(hostsRaw)) {
    throw layoutError(
      file,
      `has hosts = ${hostsRaw === null ? "null" : typeof hostsRaw}, expected a mapping of host names`,
    );
  }
  const hosts = dict(
    Object.entries(hostsRaw).map(([h, v]) => [h, strings(v, `hosts.${h}`)] as const),
  );
  const shared = strings(r.shared, "shared");
  const v2 = r.version === 2;
  const recipients = v2 ? r.recipients : [];
  if (!Array.isArray(recipients) || recipients.some((x) => typeof x !== "string")) {
    throw layoutError(file, "has a recipients entry that is not a list of age recipients");
  }
  return {
    data: {
      version: 2,
      hosts,
      shared,
      recipients: recipients as string[],
      seal_keys: v2 ? strings(r.seal_keys, "seal_keys") : dict(),
    },
    macs: v2 ? strings(r.macs, "macs") : dict(),
    legacy: !v2,
  };
}

/** Values that cannot be used or redacted safely: too weak, or not what Synapse reads. */
function valueProblems(data: SecretsData): StoreProblem[] {
  const out: StoreProblem[] = [];
  const scopes: [string, Record<string, string>][] = [
    ["shared", data.shared],
    ...Object.entries(data.hosts).map(
      ([h, s]) => [`host ${h}`, s] as [string, Record<string, string>],
    ),
  ];
  for (const [scope, secrets] of scopes) {
    for (const [name, value] of Object.entries(secrets)) {
      const ctrl = firstControlChar(value);
      const weak = ctrl
        ? `it contains ${describeControlChar(ctrl)}, which would break the config line it is written to`
        : name === OLD_SIGNING_KEYS
          ? undefined
          : weakSecretReason(value);
      let wrong: string | undefined;
      if (name === "signing_key") wrong = signingKeyProblem(value);
      if (name === OLD_SIGNING_KEYS) {
        try {
          parseOldSigningKeys(value);
        } catch (err) {
          wrong = (err as Error).message;
        }
      }
      if (weak || wrong) {
        out.push({
          kind: "weak",
          summary: `secret '${name}' (${scope}) cannot be used: ${wrong ?? weak}`,
          hint: `Replace it: \`provision secrets set ${name}${scope === "shared" ? "" : ` --host ${scope.slice(5)}`}\` (a long random value, e.g. from \`openssl rand -base64 32\`).`,
        });
      }
    }
  }
  return out;
}

/** Whether the identity's recipient holds a valid seal over this content. */
function sealProblem(
  data: SecretsData,
  macs: Record<string, string>,
  identity: string,
  recipient: string,
  legacy: boolean,
): StoreProblem | undefined {
  const problem = (summary: string): StoreProblem => ({ kind: "seal", summary, hint: RESEAL_HINT });
  if (legacy)
    return problem(
      "the secrets store has no seal (it was written by an older provision or by hand), so a planted store could not be told apart",
    );
  if (!data.recipients.includes(recipient)) {
    return problem(
      "the secrets store does not list your identity among its recipients: it was written by someone who cannot read it (forged?)",
    );
  }
  const expected = sealKey(identity).toString("base64");
  const stored = Object.hasOwn(data.seal_keys, recipient) ? data.seal_keys[recipient] : undefined;
  if (stored === undefined) {
    return problem(
      "the secrets store is not sealed for your identity yet (a recipient added by someone else, or a store changed by someone who cannot read it)",
    );
  }
  const m = Object.hasOwn(macs, recipient) ? macs[recipient] : undefined;
  if (!same(stored, expected) || m === undefined || !same(m, mac(sealKey(identity), data))) {
    return problem(
      "the secrets store's seal does not match: it was changed by someone without an identity that can open it",
    );
  }
  return undefined;
}

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
    plain = await d.decrypt(armor.decode(bytes.toString("utf8")), "text");
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
  const macs = dict(
    Object.entries(data.seal_keys).map(
      ([r, k]) => [r, mac(Buffer.from(k, "base64"), data)] as const,
    ),
  );
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
