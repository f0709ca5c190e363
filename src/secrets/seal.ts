// The seal: each recipient's seal key is derived from its identity (only identity holders know
// it) and kept inside the encrypted store, with a MAC over the content per seal key. Someone who
// knows only the public recipients can encrypt a store, but cannot seal it.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { dict, type SecretsData, type StoreProblem } from "./data.js";

const RESEAL_HINT =
  "If you did not expect this, find out who changed the store (version control history). When every value is checked (`provision secrets list` shows the names), run `provision secrets init --reseal`.";

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

/** One MAC per seal key the store holds, written next to the content. */
export function sealMacs(data: SecretsData): Record<string, string> {
  return dict(
    Object.entries(data.seal_keys).map(
      ([r, k]) => [r, mac(Buffer.from(k, "base64"), data)] as const,
    ),
  );
}

/** Whether the identity's recipient holds a valid seal over this content. */
export function sealProblem(
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
