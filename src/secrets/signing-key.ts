// Synapse's signing key file: "ed25519 <key id> <unpadded base64 of the 32-byte seed>", one key
// a line. A replaced key stays verifiable for other servers through old_signing_keys, which maps
// "ed25519:<key id>" to the public key and the time it stopped being used (Synapse's docs,
// "old_signing_keys").
import { createPrivateKey, createPublicKey } from "node:crypto";

const FORMAT = /^ed25519 ([A-Za-z0-9_]{1,64}) ([A-Za-z0-9+/]{43})$/;

/** The name of the store entry that keeps replaced signing keys (a JSON text, rendered into homeserver.yaml). */
export const OLD_SIGNING_KEYS = "old_signing_keys";

export interface OldSigningKey {
  key: string;
  expired_ts: number;
}

/** Why a value is not a Synapse signing key, or undefined. */
export function signingKeyProblem(value: string): string | undefined {
  const m = FORMAT.exec(value);
  if (!m) {
    return "a signing key is one line 'ed25519 <key id> <unpadded base64 of 32 bytes>', as Synapse's generate_signing_key writes it";
  }
  if (Buffer.from(m[2] as string, "base64").length !== 32) return "the key's seed is not 32 bytes";
  return undefined;
}

/** Key id ("ed25519:a_AbCd") and unpadded base64 public key of a valid signing key. */
export function signingKeyPublic(value: string): { id: string; key: string } {
  const m = FORMAT.exec(value);
  if (!m) throw new Error("not a signing key");
  const seed = Buffer.from(m[2] as string, "base64");
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const pub = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
  const x = (pub.export({ format: "jwk" }) as { x: string }).x;
  return {
    id: `ed25519:${m[1]}`,
    key: Buffer.from(x, "base64url").toString("base64").replace(/=+$/, ""),
  };
}

/** Parses the old_signing_keys store entry; undefined when absent. */
export function parseOldSigningKeys(text: string | undefined): Record<string, OldSigningKey> {
  if (text === undefined) return {};
  const data = JSON.parse(text) as Record<string, OldSigningKey>;
  const out: Record<string, OldSigningKey> = Object.create(null);
  for (const [id, v] of Object.entries(data)) {
    if (
      !/^ed25519:[A-Za-z0-9_]{1,64}$/.test(id) ||
      typeof v?.key !== "string" ||
      !/^[A-Za-z0-9+/]{43}$/.test(v.key) ||
      !Number.isSafeInteger(v.expired_ts)
    ) {
      throw new Error(`old signing key entry '${id}' is malformed`);
    }
    out[id] = { key: v.key, expired_ts: v.expired_ts };
  }
  return out;
}

/** The old_signing_keys entry after `replaced` stops being used at `now`. */
export function retireSigningKey(
  current: string | undefined,
  replaced: string,
  now: number,
): string {
  const old = parseOldSigningKeys(current);
  const { id, key } = signingKeyPublic(replaced);
  old[id] = { key, expired_ts: now };
  return JSON.stringify(old);
}
