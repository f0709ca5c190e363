import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { UserError } from "../errors.js";
import { readBoundedFile } from "../util/files.js";
import { registerSecret } from "./redact.js";

export interface IdentitySource {
  /** Where the identity came from, for messages (never the key itself). */
  origin: string;
  /** File path, when it lives in a file (also where `secrets init` creates one). */
  file?: string;
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? `${homedir()}${p.slice(1)}` : p;
}

/**
 * Identity lookup order: PROVISION_AGE_IDENTITY (the key itself, for CI secrets),
 * PROVISION_AGE_IDENTITY_FILE, the inventory's secrets.identity_file, then
 * ~/.config/provision/age-identity.txt.
 */
export function identitySource(inventoryDir: string, configured?: string): IdentitySource {
  if (process.env.PROVISION_AGE_IDENTITY) return { origin: "$PROVISION_AGE_IDENTITY" };
  const fromEnv = process.env.PROVISION_AGE_IDENTITY_FILE;
  if (fromEnv) {
    const file = resolve(expandHome(fromEnv));
    return { origin: `${file} (from $PROVISION_AGE_IDENTITY_FILE)`, file };
  }
  if (configured) {
    const file = resolve(inventoryDir, expandHome(configured));
    return { origin: file, file };
  }
  const file = resolve(homedir(), ".config/provision/age-identity.txt");
  return { origin: file, file };
}

/** age's bech32 encoding of an X25519 secret key (the checksum is verified when it is used). */
const AGE_IDENTITY = /^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/;

/** Reads identities (AGE-SECRET-KEY-... lines); undefined when none is available. */
export function readIdentities(src: IdentitySource): string[] | undefined {
  let text: string;
  if (!src.file) {
    text = process.env.PROVISION_AGE_IDENTITY ?? "";
  } else {
    try {
      text = readBoundedFile(src.file, 64 * 1024).toString("utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new UserError(`cannot read age identity ${src.file}: ${(err as Error).message}`);
    }
  }
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  // Whatever is there may be a key: never echoed, even when mistyped.
  for (const k of keys) registerSecret(k);
  const bad = keys.findIndex((k) => !AGE_IDENTITY.test(k));
  if (bad !== -1 || keys.length === 0) {
    throw new UserError(
      keys.length === 0
        ? `age identity from ${src.origin} holds no AGE-SECRET-KEY line`
        : `age identity from ${src.origin}: key ${bad + 1} is not an age secret key (AGE-SECRET-KEY-1 and 58 more letters and digits)`,
      {
        hint: "Point PROVISION_AGE_IDENTITY_FILE at a file written by `provision secrets init` or age-keygen, or copy the key again.",
      },
    );
  }
  return keys;
}

/** Creates a new identity file (mode 0600) in age-keygen's format; returns its public recipient. */
export async function createIdentityFile(
  file: string,
): Promise<{ identity: string; recipient: string }> {
  const { generateIdentity, identityToRecipient } = await import("age-encryption");
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(
    file,
    `# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${identity}\n`,
    {
      mode: 0o600,
      flag: "wx",
    },
  );
  chmodSync(file, 0o600);
  return { identity, recipient };
}
