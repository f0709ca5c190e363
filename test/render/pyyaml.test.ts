import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { retireSigningKey } from "../../src/secrets/signing-key.js";
import { EVERYTHING_ON, fileOf, fixedSecrets, hostsFrom, renderMap } from "../helpers/render.js";

// Synapse reads homeserver.yaml with PyYAML, a YAML 1.1 reader: the rendered file must mean the
// same there as in the YAML 1.2 reader the tests use elsewhere.
const probe = spawnSync("python3", ["-c", "import yaml"], { encoding: "utf8" });
const present = probe.status === 0;
if (!present) console.warn("skipping PyYAML tests: python3 with PyYAML is not installed");

function pyyaml(text: string): { ok: boolean; value?: unknown; error?: string } {
  const r = spawnSync(
    "python3",
    ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"],
    { input: text, encoding: "utf8" },
  );
  return r.status === 0
    ? { ok: true, value: JSON.parse(r.stdout) }
    : { ok: false, error: r.stderr };
}

describe.skipIf(!present)("homeserver.yaml as PyYAML reads it", () => {
  it("means the same to PyYAML (YAML 1.1) as to a YAML 1.2 reader, unusual text and old signing keys included", () => {
    const text = EVERYTHING_ON.replace(
      "app_name: Example Chat",
      'app_name: "Caf\u00e9 \u00a0\u2713 \uFFFD Chat"',
    );
    expect(text).toContain("Caf\u00e9");
    const [host] = hostsFrom(text);
    if (!host) throw new Error("no host");
    const secrets = fixedSecrets({
      smtp_password: "test-smtp-password",
      old_signing_keys: retireSigningKey(
        undefined,
        fixedSecrets().signing_key as string,
        1700000000000,
      ),
    });
    const yaml = fileOf(renderMap(host, secrets), "/usr/local/etc/matrix-synapse/homeserver.yaml");
    const py = pyyaml(yaml);
    expect(py.error).toBeUndefined();
    expect(py.value).toEqual(parse(yaml));
    expect((py.value as { old_signing_keys: unknown }).old_signing_keys).toEqual({
      "ed25519:a_test": {
        key: expect.stringMatching(/^[A-Za-z0-9+/]{43}$/),
        expired_ts: 1700000000000,
      },
    });
  });

  it("shows why validate refuses U+2028 and C1 controls: PyYAML reads them differently or not at all", () => {
    expect(pyyaml('a: "x\u0085y"\n').value).not.toEqual({ a: "x\u0085y" });
    expect(pyyaml("a: x\u009by\n").ok).toBe(false);
  });
});
