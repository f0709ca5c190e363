import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "provision-cli-"));

describe("provision validate", () => {
  it("accepts the example inventory (exit 0) and says what is still to do", () => {
    const r = cli(["validate", "-i", "inventory.example.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Valid: inventory.example.yaml, 1 host (0 errors, 1 warning).");
    expect(r.stdout).toContain(
      "inventory.example.yaml:1:1: warning: no secrets store at inventory.example.secrets.age",
    );
    expect(r.stderr).toBe("");
  });

  it("reports every problem with FILE:LINE:COL and exits 1, without a stack trace", () => {
    const r = cli(["validate", "-i", "test/fixtures/broken/36-many-errors.yaml"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines.slice(0, 4).map((l) => l.split(": error: ")[0])).toEqual([
      "test/fixtures/broken/36-many-errors.yaml:3:18",
      "test/fixtures/broken/36-many-errors.yaml:6:24",
      "test/fixtures/broken/36-many-errors.yaml:7:7",
      "test/fixtures/broken/36-many-errors.yaml:12:24",
    ]);
    expect(lines.at(-1)).toBe(
      "Invalid: test/fixtures/broken/36-many-errors.yaml: 4 errors, 0 warnings.",
    );
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it("prints machine-readable diagnostics with --json", () => {
    const r = cli(["validate", "-i", "test/fixtures/broken/12-bad-ipv4.yaml", "--json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ valid: false, error_count: 1, warning_count: 0 });
    expect(doc.diagnostics[0]).toEqual({
      severity: "error",
      summary: `'public_ipv4' must be an IPv4 address such as 203.0.113.10, got "203.0.113.300"`,
      detail: "",
      path: "all.hosts.matrix.public_ipv4",
      range: {
        filename: "test/fixtures/broken/12-bad-ipv4.yaml",
        start: { line: 8, column: 20 },
        end: { line: 8, column: 33 },
      },
    });
  });

  it("handles a missing file and a directory like any other bad input", () => {
    const missing = cli(["validate", "-i", "nope.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("nope.yaml:1:1: error: cannot read inventory: no such file");
    const isDir = cli(["validate", "-i", "test"]);
    expect(isDir.code).toBe(1);
    expect(isDir.stdout).toContain(
      "test:1:1: error: cannot read inventory: is a directory, not a file",
    );
  });

  it("defaults to ./inventory.yaml", () => {
    const r = cli(["validate"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("inventory.yaml:1:1: error: cannot read inventory: no such file");
  });

  it("colours only when asked: never with NO_COLOR or --no-color", () => {
    const plain = cli(["validate", "-i", "test/fixtures/broken/12-bad-ipv4.yaml", "--no-color"], {
      env: { NO_COLOR: undefined },
    });
    expect(plain.stdout).not.toContain("\u001b[");
  });

  it("gives a usage error (exit 1) for an unknown command or option, with a suggestion", () => {
    const r = cli(["valdate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'valdate'");
    expect(r.stderr).toContain("validate");
    expect(cli(["validate", "--bogus"]).code).toBe(1);
  });

  it("has --help with an example for every command", () => {
    for (const cmd of [
      ["validate"],
      ["secrets", "init"],
      ["secrets", "set"],
      ["secrets", "list"],
    ]) {
      const r = cli([...cmd, "--help"]);
      expect(r.code, cmd.join(" ")).toBe(0);
      expect(r.stdout, cmd.join(" ")).toMatch(/Example/);
    }
  });

  it("validates a store: decrypts it, and flags a wrong identity as an error", async () => {
    copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));
    const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
    const init = cli(["secrets", "init", "-i", "inv.yaml"], { cwd: dir, env });
    expect(init.code).toBe(0);
    const ok = cli(["validate", "-i", "inv.yaml"], { cwd: dir, env });
    expect(ok.stdout).toBe("Valid: inv.yaml, 1 host.\n");
    expect(ok.code).toBe(0);
    const { generateIdentity } = await import("age-encryption");
    writeFileSync(join(dir, "other.txt"), `${await generateIdentity()}\n`);
    const wrong = cli(["validate", "-i", "inv.yaml"], {
      cwd: dir,
      env: { PROVISION_AGE_IDENTITY_FILE: join(dir, "other.txt") },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("inv.yaml:1:1: error: cannot decrypt secrets store");
    expect(readFileSync(join(dir, "inv.secrets.age"), "utf8")).toMatch(
      /^-----BEGIN AGE ENCRYPTED FILE-----/,
    );
  });
});
