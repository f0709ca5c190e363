import { copyFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REQUIRED_SECRETS } from "../../src/secrets/catalog.js";
import { readStore } from "../../src/secrets/store.js";
import { cli, ROOT } from "../helpers/cli.js";

describe("provision secrets", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-secrets-"));
  const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "keys/id.txt") };
  copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));

  it("init creates a 0600 identity and store with every secret, never printing a value", async () => {
    const r = cli(["secrets", "init", "-i", "inv.yaml"], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(statSync(join(dir, "keys/id.txt")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "inv.secrets.age")).mode & 0o777).toBe(0o600);
    const identity = readFileSync(join(dir, "keys/id.txt"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("AGE-SECRET-KEY-"));
    expect(identity).toBeDefined();
    const store = await readStore(join(dir, "inv.secrets.age"), [identity as string]);
    expect(store.state).toBe("open");
    if (store.state !== "open") return;
    const values = Object.values(store.data.hosts.matrix ?? {});
    expect(Object.keys(store.data.hosts.matrix ?? {}).sort()).toEqual(
      REQUIRED_SECRETS.map((s) => s.name).sort(),
    );
    for (const v of [...values, identity as string]) {
      expect(r.stdout + r.stderr).not.toContain(v);
    }
    expect(store.data.hosts.matrix?.turn_shared_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(store.data.hosts.matrix?.signing_key).toMatch(
      /^ed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{43}$/,
    );
    // A second run keeps every value.
    const again = cli(["secrets", "init", "-i", "inv.yaml"], { cwd: dir, env });
    expect(again.stdout).toContain("nothing changed");
    const store2 = await readStore(join(dir, "inv.secrets.age"), [identity as string]);
    expect(store2.state === "open" && store2.data.hosts.matrix).toEqual(store.data.hosts.matrix);
  });

  it("set stores a value from stdin without echoing it; list shows names only", () => {
    const canary = "canary-5f0d1c2e-smtp";
    const set = cli(["secrets", "set", "smtp_password", "-i", "inv.yaml"], {
      cwd: dir,
      env,
      input: canary,
    });
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("Stored smtp_password (shared) in inv.secrets.age.\n");
    const list = cli(["secrets", "list", "-i", "inv.yaml", "--json"], { cwd: dir, env });
    expect(JSON.parse(list.stdout).shared).toEqual(["smtp_password"]);
    expect(list.stdout).not.toContain(canary);
    const bad = cli(["secrets", "set", "Bad-Name", "-i", "inv.yaml"], {
      cwd: dir,
      env,
      input: "x",
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error: secret name 'Bad-Name' is invalid");
  });

  it("refuses to work on an invalid inventory", () => {
    const r = cli(["secrets", "init", "-i", join(ROOT, "test/fixtures/broken/12-bad-ipv4.yaml")], {
      cwd: dir,
      env,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "12-bad-ipv4.yaml:8:20: error: 'public_ipv4' must be an IPv4 address",
    );
    expect(r.stderr).toContain("is invalid; fix the errors above first");
  });
});
