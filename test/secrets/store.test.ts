import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { armor, Encrypter, generateIdentity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { identitySource, readIdentities } from "../../src/secrets/identity.js";
import { redact, redactValue, registerSecret, weakSecretReason } from "../../src/secrets/redact.js";
import {
  parseOldSigningKeys,
  retireSigningKey,
  signingKeyProblem,
  signingKeyPublic,
} from "../../src/secrets/signing-key.js";
import { emptyStore, lookupSecret, readStore, writeStore } from "../../src/secrets/store.js";

const dir = mkdtempSync(join(tmpdir(), "provision-store-"));
let n = 0;
const file = () => join(dir, `store-${n++}.age`);
const STRONG = "k3Y-9f2Qx7Lm0pRt";

/** Encrypts any payload to a recipient, as someone who knows only the public key could. */
async function plant(path: string, recipient: string, payload: unknown): Promise<void> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  writeFileSync(path, armor.encode(await e.encrypt(JSON.stringify(payload))));
}

async function opened(path: string, ids: string[]) {
  const r = await readStore(path, ids);
  if (r.state !== "open") throw new Error(`store ${r.state}`);
  return r;
}

describe("sealed secrets store", () => {
  it("accepts what provision wrote and keeps every recipient on each write", async () => {
    const [a, b] = [await generateIdentity(), await generateIdentity()];
    const f = file();
    const data = emptyStore();
    data.shared.smtp_password = STRONG;
    data.recipients.push(await identityToRecipient(b));
    await writeStore(f, data, [a]);
    const byA = await opened(f, [a]);
    expect(byA.problems).toEqual([]);
    // b can open it but has not sealed it yet; after b seals, a and b both open it cleanly.
    const byB = await opened(f, [b]);
    expect(byB.problems.map((p) => p.kind)).toEqual(["seal"]);
    await writeStore(f, byB.data, [b]);
    byA.data.shared.other = `${STRONG}x`;
    const again = await opened(f, [a]);
    again.data.shared.other = `${STRONG}x`;
    await writeStore(f, again.data, [a]);
    expect((await opened(f, [b])).problems).toEqual([]);
    expect((await opened(f, [a])).data.recipients).toHaveLength(2);
  });

  it("refuses a store whose payload was altered, and one sealed for someone else", async () => {
    const [a, b] = [await generateIdentity(), await generateIdentity()];
    const f = file();
    const data = emptyStore();
    data.shared.smtp_password = STRONG;
    await writeStore(f, data, [a]);
    const sealed = armor.decode(readFileSync(f, "utf8"));
    sealed[sealed.length - 20] = (sealed[sealed.length - 20] ?? 0) ^ 1;
    writeFileSync(f, armor.encode(sealed));
    await expect(readStore(f, [a])).rejects.toThrow(/it is damaged or not an age-encrypted file/);
    await writeStore(f, data, [a]);
    await expect(readStore(f, [b])).rejects.toThrow(
      /none of the identities is among its recipients/,
    );
  });

  it("detects a store planted by someone who knows only the public recipient", async () => {
    const id = await generateIdentity();
    const r = await identityToRecipient(id);
    const f = file();
    await plant(f, r, {
      version: 2,
      hosts: {},
      shared: { registration_shared_secret: "attacker-knows-this-1" },
      recipients: [r],
      seal_keys: { [r]: Buffer.alloc(32, 7).toString("base64") },
      macs: { [r]: "AAAA" },
    });
    const read = await opened(f, [id]);
    expect(read.problems[0]?.summary).toContain("changed by someone without an identity");
    expect(read.problems[0]?.hint).toContain("provision secrets init --reseal");
    const bare = file();
    await plant(bare, r, {
      version: 2,
      hosts: {},
      shared: {},
      recipients: [],
      seal_keys: {},
      macs: {},
    });
    expect((await opened(bare, [id])).problems[0]?.summary).toContain(
      "does not list your identity",
    );
  });

  it("refuses an older unsealed store until it is resealed", async () => {
    const id = await generateIdentity();
    const f = file();
    await plant(f, await identityToRecipient(id), { version: 1, hosts: {}, shared: {} });
    const read = await opened(f, [id]);
    expect(read.problems[0]?.summary).toContain("has no seal");
    await writeStore(f, read.data, [id]);
    expect((await opened(f, [id])).problems).toEqual([]);
  });

  it("refuses non-string values, hosts: null, and never resolves prototype names", async () => {
    const id = await generateIdentity();
    const r = await identityToRecipient(id);
    const cases: [unknown, string][] = [
      [{ version: 1, hosts: { m: { a: true } }, shared: {} }, "hosts.m.a = a boolean"],
      [{ version: 1, hosts: { m: { a: { x: 1 } } }, shared: {} }, "hosts.m.a = a mapping"],
      [{ version: 1, hosts: null, shared: {} }, "has hosts = null"],
      [{ version: 1, hosts: {}, shared: [] }, "has shared = a list"],
    ];
    for (const [payload, message] of cases) {
      const f = file();
      await plant(f, r, payload);
      const err = await readStore(f, [id]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toContain(message);
    }
    const data = emptyStore();
    expect(lookupSecret(data, "m", "constructor")).toBeUndefined();
    expect(lookupSecret(data, "constructor", "toString")).toBeUndefined();
    expect(lookupSecret(data, "__proto__", "valueOf")).toBeUndefined();
  });

  it("reports weak values and malformed signing keys in a store", async () => {
    const id = await generateIdentity();
    const f = file();
    const data = emptyStore();
    data.shared.form_secret = "example";
    data.shared.smtp_password = "line-one\nline-two";
    data.hosts.m = Object.assign(Object.create(null), { signing_key: "abc-not-a-key-123" });
    await writeStore(f, data, [id]);
    const summaries = (await opened(f, [id])).problems.map((p) => p.summary);
    expect(summaries).toEqual([
      "secret 'form_secret' (shared) cannot be used: it is shorter than 8 characters",
      "secret 'smtp_password' (shared) cannot be used: it contains a line break, which would break the config line it is written to",
      expect.stringContaining(
        "secret 'signing_key' (host m) cannot be used: a signing key is one line",
      ),
    ]);
  });

  it("never echoes a mistyped identity", async () => {
    const id = await generateIdentity();
    const typo = `${id.slice(0, 20)}${id[20] === "Q" ? "P" : "Q"}${id.slice(21)}`;
    const f = file();
    await writeStore(f, emptyStore(), [id]);
    const err = (await readStore(f, [typo]).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(`${err.message} ${err.hint}`).not.toContain(typo.slice(16));
    expect(err.message).toContain("is not a valid age secret key");
    process.env.PROVISION_AGE_IDENTITY = "AGE-SECRET-KEY-1NOTAKEY";
    try {
      const e2 = (() => {
        try {
          readIdentities(identitySource(dir));
        } catch (e) {
          return e as UserError;
        }
      })();
      expect(e2?.message).not.toContain("NOTAKEY");
      expect(redact("it was AGE-SECRET-KEY-1NOTAKEY")).toBe("it was (sensitive value)");
    } finally {
      delete process.env.PROVISION_AGE_IDENTITY;
    }
  });

  it("refuses to read a device as the store", async () => {
    const err = (await readStore("/dev/zero", undefined).catch((e: unknown) => e)) as UserError;
    expect(err.message).toBe(
      "cannot read secrets store /dev/zero: is a character device, not a regular file",
    );
  });
});

describe("redaction", () => {
  it("redacts strings before serialising, so quotes and backslashes cannot leak", () => {
    const secret = 'Ab1"\\x7Zq9';
    registerSecret(secret);
    const json = JSON.stringify(redactValue({ stderr: `password ${secret} refused`, [secret]: 1 }));
    expect(json).not.toContain("Zq9");
    expect(json).toBe('{"stderr":"password (sensitive value) refused","(sensitive value)":1}');
  });

  it("refuses values too short or too guessable to redact safely", () => {
    expect(weakSecretReason("abc")).toContain("shorter than 8");
    expect(weakSecretReason("example")).toContain("shorter than 8");
    expect(weakSecretReason("Password123!")).toContain("common word");
    expect(weakSecretReason("examples")).toContain("common word");
    expect(weakSecretReason("aaaaaaaaaaaaaaaaaaaa")).toContain("repeats one character");
    expect(weakSecretReason("12345678901")).toContain("one kind of character");
    expect(weakSecretReason("correcthorsebatterystaple")).toBeUndefined();
    expect(weakSecretReason(STRONG)).toBeUndefined();
  });
});

describe("signing keys", () => {
  // RFC 8032 section 7.1, test 1.
  const seed = Buffer.from(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "hex",
  );
  const pub = Buffer.from(
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "hex",
  );
  const key = `ed25519 a_AbCd ${seed.toString("base64").replace(/=+$/, "")}`;

  it("validates Synapse's format and derives the public key of the seed", () => {
    expect(signingKeyProblem(key)).toBeUndefined();
    expect(signingKeyProblem("abc")).toContain("ed25519 <key id>");
    expect(signingKeyProblem(`ed25519 a_AbCd ${seed.toString("base64")}`)).toBeDefined(); // padded
    expect(signingKeyPublic(key)).toEqual({
      id: "ed25519:a_AbCd",
      key: pub.toString("base64").replace(/=+$/, ""),
    });
  });

  it("keeps replaced keys as old_signing_keys entries", () => {
    const once = retireSigningKey(undefined, key, 1700000000000);
    expect(parseOldSigningKeys(once)).toEqual({
      "ed25519:a_AbCd": {
        key: pub.toString("base64").replace(/=+$/, ""),
        expired_ts: 1700000000000,
      },
    });
  });
});
