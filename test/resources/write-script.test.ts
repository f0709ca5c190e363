// writeScript run by /bin/sh on this machine (chown and fsync stand in: the owner is not what
// is tested here): what it leaves on disk.
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
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

  for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
    it(`leaves no temporary file when the step is ended by ${signal} mid-write (a cut apply's lock holder sends TERM)`, async () => {
      const root = mkdtempSync(join(tmpdir(), "provision-write-"));
      const target = join(root, "etc/app.conf");
      // openssl stands still while writing the temp file, as a slow disk would.
      const bin = fakeBin({ chown: "exit 0", fsync: "exit 0", openssl: "sleep 30" });
      writeFileSync(join(root, "old"), "");
      const sh = spawn("/bin/sh", ["-c", writeScript(target, "new\n", "root", "wheel", "0644")], {
        env: { ...process.env, PATH: `${bin.dir}:${process.env.PATH}` },
        detached: true,
        stdio: "ignore",
      });
      const ended = new Promise<number | null>((r) => sh.on("exit", (code) => r(code)));
      const temps = () => readdirSync(join(root, "etc")).filter((f) => f.startsWith(".provision."));
      // Signalled once openssl runs (it logs its call first): a signal that lands between a
      // child's fork and its exec is taken by the shell's trap handler there and lost with the
      // exec, so the step would end only with that command (here after 30 s).
      const writing = () =>
        existsSync(join(root, "etc")) &&
        temps().length > 0 &&
        readFileSync(bin.log, "utf8").includes("openssl ");
      for (let i = 0; i < 250 && !writing(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(temps()).toHaveLength(1);
      process.kill(-(sh.pid as number), signal);
      expect(await ended).not.toBe(0);
      expect(temps()).toEqual([]);
      expect(existsSync(target)).toBe(false);
    });
  }
});
