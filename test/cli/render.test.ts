import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/util/hash.js";
import { cli, ROOT } from "../helpers/cli.js";

describe("provision render", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-render-cli-"));
  const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
  copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));

  it("refuses without a secrets store, touching nothing", () => {
    const r = cli(["render", "-i", "inv.yaml", "--out", "out"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("inv.yaml:1:1: error: no secrets store at inv.secrets.age");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("writes every file at DIR/<host>/<path> with a MANIFEST of owner, mode and sha256", () => {
    expect(cli(["secrets", "init", "-i", "inv.yaml"], { cwd: dir, env }).code).toBe(0);
    const r = cli(["render", "-i", "inv.yaml", "--out", "out"], { cwd: dir, env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Rendered 18 files for matrix into out/matrix/ (see MANIFEST).\n");
    const manifest = readFileSync(join(dir, "out/matrix/MANIFEST"), "utf8")
      .trim()
      .split("\n")
      .slice(1);
    expect(manifest).toHaveLength(18);
    for (const line of manifest) {
      const [path, owner, mode, hash] = line.split("\t") as [string, string, string, string];
      expect(owner).toMatch(/^[a-z]+:[a-z]+$/);
      expect(mode).toMatch(/^0[0-7]{3}$/);
      expect(sha256(readFileSync(join(dir, "out/matrix", path), "utf8"))).toBe(hash);
    }
    expect(statSync(join(dir, "out/matrix")).mode & 0o777).toBe(0o700);
    expect(
      statSync(join(dir, "out/matrix/usr/local/etc/matrix-synapse/homeserver.yaml")).mode & 0o777,
    ).toBe(0o600);
  });

  it("limits to one host with --host and refuses an unknown one", () => {
    const r = cli(["render", "-i", "inv.yaml", "--out", "out2", "--host", "nope"], {
      cwd: dir,
      env,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: no host 'nope' in inv.yaml");
  });
});
