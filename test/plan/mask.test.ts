import { describe, expect, it } from "vitest";
import { attachDiffs } from "../../src/plan/diffs.js";
import { maskSecrets } from "../../src/plan/mask.js";
import type { Change } from "../../src/resources/types.js";
import { registerSecret } from "../../src/secrets/redact.js";

const MACAROON = "mAc-8f3e2d1c0b9a7x6";
const FORM = "fOrm-1a2b3c4d5e6f7g";
const OLD_FORM = "oLd-form-99z88y77x";
const SMTP = "sMtp-p4ss-w0rd-42";

const current = `server_name: "m.example.org"
enable_registration: false
macaroon_secret_key: "${MACAROON}"
form_secret: "${OLD_FORM}"
email:
  smtp_pass: "${SMTP}"
`;
const planned = `server_name: "m.example.org"
enable_registration: true
macaroon_secret_key: "${MACAROON}"
form_secret: "${FORM}"
email:
  notif_from: "x"
`;

describe("diffs of files that hold secrets", () => {
  it("the plan shows homeserver.yaml's changes with every secret value masked", async () => {
    for (const s of [MACAROON, FORM]) registerSecret(s);
    const change = {
      address: "file./usr/local/etc/matrix-synapse/homeserver.yaml",
      sensitive: true,
      summary: "content",
      diffAgainst: { path: "/h.yaml", desired: planned },
    } as unknown as Change;
    const conn = {
      roundTrips: 0,
      exec: async () => ({
        code: 0,
        stdout: `@@provision-file@@ /h.yaml\n${Buffer.from(current).toString("base64")}\n`,
        stderr: "",
      }),
      close: async () => {},
    };
    await attachDiffs(conn as never, [change]);
    const diff = change.diff as string;
    expect(diff).toContain("-enable_registration: false");
    expect(diff).toContain("+enable_registration: true");
    expect(change.summary).toBe("content; secret values change: form_secret");
    expect(diff).toContain('-form_secret: "(previous secret)"');
    expect(diff).toContain('+form_secret: "(secret)"');
    expect(diff).toContain('-  smtp_pass: "(previous secret)"');
    for (const s of [MACAROON, FORM, OLD_FORM, SMTP]) expect(diff).not.toContain(s);
    expect(diff).toContain(' macaroon_secret_key: "(secret)"'); // unchanged context, masked
  });

  it("names the settings whose secret changed since the last apply, never the values", () => {
    const r = maskSecrets(current, planned, [MACAROON, FORM]);
    expect(r?.changed).toEqual(["form_secret"]);
    const conf = maskSecrets("static-auth-secret=old-value-123\n", `static-auth-secret=${FORM}\n`, [
      FORM,
    ]);
    expect(conf).toEqual({
      current: "static-auth-secret=(previous secret)\n",
      planned: "static-auth-secret=(secret)\n",
      changed: ["static-auth-secret"],
    });
  });

  it("shows no diff for a file that is a secret as a whole (the signing key)", () => {
    const key = "ed25519 a_AbCd 4p9MzCqV1e1aRZ0g0xxJbTqfS1Nw7hDq8W2Z9cYt5kU";
    expect(maskSecrets("ed25519 a_Old1 other", `${key}\n`, [key])).toBeUndefined();
  });
});
