import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { registerSecret } from "../../src/secrets/redact.js";
import { Output } from "../../src/views/output.js";
import { cli, ROOT } from "../helpers/cli.js";

describe("bad input ends in a clear error, never a stack trace", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-bad-"));
  const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
  copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));

  it("render --out pointing at a file", () => {
    expect(cli(["secrets", "init", "-i", "inv.yaml"], { cwd: dir, env }).code).toBe(0);
    writeFileSync(join(dir, "a-file"), "x");
    const r = cli(["render", "--out", "a-file", "-i", "inv.yaml"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error: cannot render into a-file: it (or a parent) is a file, not a directory",
    );
    expect(r.stderr).not.toContain("internal error");
  });

  it("secrets.file: /dev/zero is refused instead of read forever", () => {
    writeFileSync(
      join(dir, "zero.yaml"),
      `all:
  vars:
    admin_email: admin@example.org
    management_cidrs: [198.51.100.7/32]
    secrets: { file: /dev/zero }
  hosts:
    matrix: { server_name: matrix.example.org, public_ipv4: 203.0.113.10 }
`,
    );
    const r = cli(["validate", "-i", "zero.yaml"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(
      "cannot read secrets store /dev/zero: is a character device, not a regular file",
    );
  });

  it("a garbage ssh.key, Port 99999 in ~/.ssh/config and a known_hosts directory are clear errors", () => {
    const home = join(dir, "home");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(dir, "garbage.key"), "not a key\n");
    mkdirSync(join(dir, "kh-dir"), { recursive: true });
    const inventory = (ssh: string) =>
      `all:
  vars:
    admin_email: admin@example.org
    management_cidrs: [198.51.100.7/32]
  hosts:
    matrix:
      server_name: matrix.example.org
      public_ipv4: 203.0.113.10
      ssh: { address: 127.0.0.1, ${ssh} }
`;
    const cases: [string, string, string][] = [
      ["garbage", `key: ${join(dir, "garbage.key")}`, "is not a private key ssh2 can read"],
      [
        "port",
        `known_hosts: ${join(dir, "kh")}`,
        "Port 99999 for 127.0.0.1 is out of range 1-65535",
      ],
      ["khdir", `known_hosts: ${join(dir, "kh-dir")}`, "is a directory, not a regular file"],
    ];
    for (const [name, ssh, message] of cases) {
      writeFileSync(
        join(home, ".ssh/config"),
        name === "port" ? "Host 127.0.0.1\n  Port 99999\n" : "",
      );
      writeFileSync(join(dir, `${name}.yaml`), inventory(ssh));
      copyFileSync(join(dir, "inv.secrets.age"), join(dir, `${name}.secrets.age`));
      const r = cli(["plan", "-i", `${name}.yaml`], {
        cwd: dir,
        env: { ...env, HOME: home, SSH_AUTH_SOCK: "" },
      });
      expect(r.code, name).toBe(1);
      expect(r.stdout + r.stderr, name).toContain(message);
      expect(r.stdout + r.stderr, name).not.toContain("internal error");
    }
  });

  it("hosts: !!binary is a YAML error with its position", () => {
    const r = cli(["validate", "-i", join(ROOT, "test/fixtures/broken/48-hosts-binary.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("48-hosts-binary.yaml:5:10: error: Unresolved tag");
  });
});

describe("output", () => {
  function capture(json: boolean, color = false) {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    return {
      o: new Output({ json, color, version: "0.0.0-test" }, out, out),
      text: () => Buffer.concat(chunks).toString(),
    };
  }

  it("prints terminal escape sequences from a host's output as visible text", () => {
    const { o, text } = capture(false);
    o.line("stderr: \u001b]0;pwned\u0007\u001b[2Jdone\u009b\ttab");
    o.error("\u001b[31mred");
    expect(text()).toBe("stderr: \\x1b]0;pwned\\x07\\x1b[2Jdone\\x9b\ttab\n\\x1b[31mred\n");
    const colour = capture(false, true);
    colour.o.line(`${colour.o.paint("red", "x")} \u001b[H`);
    expect(colour.text()).toBe("\u001b[31mx\u001b[0m \\x1b[H\n");
  });

  it("--json redacts a secret holding quotes and backslashes before serialising", () => {
    const secret = 'Zq"7\\nW9-k\\\\';
    registerSecret(secret);
    const { o, text } = capture(true);
    o.document({ step: { stderr: `FATAL: password "${secret}" rejected\u009b` } });
    expect(text()).not.toContain("Zq");
    expect(JSON.parse(text())).toEqual({
      step: { stderr: 'FATAL: password "(sensitive value)" rejected\u009b' },
    });
    expect(text()).toContain("\\u009b");
  });
});
