// writeScript run by /bin/sh on this machine (chown and fsync stand in: the owner is not what
// is tested here): what it leaves on disk.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeScript } from "../../src/resources/file.js";
import { fakeBin } from "../helpers/fake-bin.js";

function run(script: string) {
  const bin = fakeBin({ chown: "exit 0", fsync: "exit 0" });
  return spawnSync("/bin/sh", ["-c", script], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin.dir}:${process.env.PATH}` },
  });
}

const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, "0");

describe("writeScript on a real filesystem", () => {
  it("creates missing parent directories 0755 so Apache can serve /.well-known (not 0700)", () => {
    const root = mkdtempSync(join(tmpdir(), "provision-write-"));
    const target = join(root, "www/.well-known/matrix/server");
    const r = run(writeScript(target, '{"m.server": "x:443"}\n', "root", "wheel", "0644"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(target, "utf8")).toBe('{"m.server": "x:443"}\n');
    expect(mode(target)).toBe("0644");
    for (const dir of ["www", "www/.well-known", "www/.well-known/matrix"])
      expect(`${dir} ${mode(join(root, dir))}`).toBe(`${dir} 0755`);
  });

  it("still writes the file itself with its own mode (a secret stays 0600)", () => {
    const root = mkdtempSync(join(tmpdir(), "provision-write-"));
    const target = join(root, "etc/secret.key");
    const r = run(writeScript(target, "s3cret\n", "root", "wheel", "0600"));
    expect(r.status).toBe(0);
    expect(mode(target)).toBe("0600");
  });
});
