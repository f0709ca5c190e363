import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
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

  it("opens the store without loading Node's HTTP client (about 20 ms of every plan)", () => {
    const preload = join(dir, "report-undici.cjs");
    writeFileSync(
      preload,
      'process.on("exit", () => process.stderr.write("undici loaded: " + process.moduleLoadList.some((m) => m.includes("undici")) + "\\n"));\n',
    );
    const r = cli(["secrets", "list", "-i", "inv.yaml"], {
      cwd: dir,
      env: { ...env, NODE_OPTIONS: `--require ${preload}` },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("turn_shared_secret");
    expect(r.stderr).toContain("undici loaded: false");
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
    const again = cli(["secrets", "set", "smtp_password", "-i", "inv.yaml"], {
      cwd: dir,
      env,
      input: `${canary}-2`,
    });
    expect(again.stdout).toBe("Replaced smtp_password (shared) in inv.secrets.age.\n");
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

  it("refuses weak values, saying why, and never echoes them", () => {
    for (const [value, why] of [
      ["abc", "shorter than 8 characters"],
      ["example-2024", "common word"],
    ]) {
      const r = cli(["secrets", "set", "smtp_password", "-i", "inv.yaml"], {
        cwd: dir,
        env,
        input: value,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(why);
      expect(r.stderr).not.toContain(value);
    }
  });

  it("replacing the signing key needs --force and keeps the old key in homeserver.yaml", async () => {
    const seed = Buffer.alloc(32, 9).toString("base64").replace(/=+$/, "");
    const bad = cli(["secrets", "set", "signing_key", "--host", "matrix", "-i", "inv.yaml"], {
      cwd: dir,
      env,
      input: "abc",
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("refusing this value for signing_key: a signing key is one line");
    const shadowed = cli(["secrets", "set", "postgres_password", "-i", "inv.yaml"], {
      cwd: dir,
      env,
      input: "sh4red-pg-password",
    });
    expect(shadowed.stdout).toContain(
      "Note: matrix has its own postgres_password, which takes precedence; use --host to change it.",
    );
    const key = `ed25519 a_NeW1 ${seed}`;
    const args = ["secrets", "set", "signing_key", "--host", "matrix", "-i", "inv.yaml"];
    const noForce = cli(args, { cwd: dir, env, input: key });
    expect(noForce.code).toBe(1);
    expect(noForce.stderr).toContain("signing_key for host matrix already exists");
    const forced = cli([...args, "--force"], { cwd: dir, env, input: key });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("Replaced signing_key for host matrix");
    const sameId = cli([...args, "--force"], {
      cwd: dir,
      env,
      input: `ed25519 a_NeW1 ${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`,
    });
    expect(sameId.code).toBe(1);
    expect(sameId.stderr).toContain("same key id as the one it replaces (ed25519:a_NeW1)");
    const out = join(dir, "rendered");
    const render = cli(["render", "--out", out, "-i", "inv.yaml"], { cwd: dir, env });
    expect(render.code).toBe(0);
    const hs = readFileSync(
      join(out, "matrix/usr/local/etc/matrix-synapse/homeserver.yaml"),
      "utf8",
    );
    expect(hs).toMatch(
      /^old_signing_keys:\n {2}"ed25519:a_[A-Za-z0-9]{4}": \{ key: "[A-Za-z0-9+/]{43}", expired_ts: \d{13} \}$/m,
    );
  });

  it("a mistyped PROVISION_AGE_IDENTITY is never echoed, in text or --json", async () => {
    const { generateIdentity } = await import("age-encryption");
    const id = await generateIdentity();
    const typo = `${id.slice(0, 30)}${id[30] === "Q" ? "P" : "Q"}${id.slice(31)}`;
    for (const json of [[], ["--json"]]) {
      const r = cli(["validate", "-i", "inv.yaml", ...json], {
        cwd: dir,
        env: { PROVISION_AGE_IDENTITY: typo },
      });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain("not a valid age secret key");
      expect(r.stdout + r.stderr).not.toContain(typo.slice(16, 40));
    }
  });

  it("set and init keep every recipient; recipients add/list/remove manage them", async () => {
    const { generateIdentity, identityToRecipient } = await import("age-encryption");
    const other = await generateIdentity();
    const otherRecipient = await identityToRecipient(other);
    const add = cli(["secrets", "recipients", "add", otherRecipient, "-i", "inv.yaml"], {
      cwd: dir,
      env,
    });
    expect(add.code).toBe(0);
    expect(add.stdout).toContain("now encrypted to 2");
    cli(["secrets", "set", "extra_secret", "-i", "inv.yaml"], {
      cwd: dir,
      env,
      input: "zR7-long-value-1",
    });
    cli(["secrets", "init", "-i", "inv.yaml"], { cwd: dir, env });
    const otherEnv = { PROVISION_AGE_IDENTITY: other };
    // The new recipient can open the store, and must check and seal it once.
    const validate = cli(["validate", "-i", "inv.yaml"], { cwd: dir, env: otherEnv });
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toContain("not sealed for your identity yet");
    expect(
      cli(["secrets", "init", "--reseal", "-i", "inv.yaml"], { cwd: dir, env: otherEnv }).code,
    ).toBe(0);
    expect(cli(["validate", "-i", "inv.yaml"], { cwd: dir, env: otherEnv }).code).toBe(0);
    expect(cli(["validate", "-i", "inv.yaml"], { cwd: dir, env }).code).toBe(0);
    const list = cli(["secrets", "recipients", "list", "-i", "inv.yaml", "--json"], {
      cwd: dir,
      env,
    });
    expect(JSON.parse(list.stdout).recipients).toHaveLength(2);
    const remove = cli(["secrets", "recipients", "remove", otherRecipient, "-i", "inv.yaml"], {
      cwd: dir,
      env,
    });
    expect(remove.code).toBe(0);
    const gone = cli(["validate", "-i", "inv.yaml"], { cwd: dir, env: otherEnv });
    expect(gone.stdout + gone.stderr).toContain("none of the identities is among its recipients");
  });

  it("refuses a store replaced by one encrypted to the public recipient only", async () => {
    const { armor, Encrypter } = await import("age-encryption");
    const text = readFileSync(join(dir, "keys/id.txt"), "utf8");
    const recipient = /public key: (age1\S+)/.exec(text)?.[1] as string;
    const e = new Encrypter();
    e.addRecipient(recipient);
    const forged = join(dir, "forged");
    mkdirSync(forged, { recursive: true });
    copyFileSync(join(dir, "inv.yaml"), join(forged, "inv.yaml"));
    const hosts = {
      matrix: Object.fromEntries(REQUIRED_SECRETS.map((s) => [s.name, s.generate()])),
    };
    writeFileSync(
      join(forged, "inv.secrets.age"),
      armor.encode(
        await e.encrypt(
          JSON.stringify({
            version: 2,
            hosts,
            shared: {},
            recipients: [recipient],
            seal_keys: {},
            macs: {},
          }),
        ),
      ),
    );
    const r = cli(["validate", "-i", "inv.yaml"], { cwd: forged, env });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("not sealed for your identity yet");
    expect(r.stdout + r.stderr).toContain("provision secrets init --reseal");
  });
});
