// The destructive-path guard: what provision may remove (or re-own) whole on a FreeBSD host.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalPathScript, destructivePathProblem } from "../../src/guards/destructive-paths.js";

describe("destructivePathProblem", () => {
  it.each([
    ["/", "is a system directory"],
    ["/etc", "is a system directory"],
    ["/usr/local", "is a system directory"],
    ["/var/db", "is a system directory"],
    ["/var/backups", "is a system directory"],
    ["/var/db/postgres", "is a directory provision manages"],
    ["/usr/local/etc/matrix-synapse", "is a directory provision manages"],
    ["/data", "is a top-level directory"],
    ["/var/db/postgres/upgrade/..", "not in canonical form"],
    ["/var/db/postgres/./upgrade", "not in canonical form"],
    ["/var/db//postgres", "not in canonical form"],
    ["/var/db/postgres/upgrade/", "not in canonical form"],
    ["var/db/postgres/upgrade", "not an absolute path"],
    ["/var/db/postgres/up\ngrade", "control characters"],
  ])("refuses %j (%s)", (path, why) => {
    expect(destructivePathProblem(path)).toContain(why);
  });

  it("refuses a protected tree, what contains it and what is inside it", () => {
    const live = ["/var/db/postgres/data17"];
    expect(destructivePathProblem("/var/db/postgres/data17", live)).toContain("protected");
    expect(destructivePathProblem("/var/db/postgres/data17/base", live)).toContain("inside");
    expect(destructivePathProblem("/srv/pg", ["/srv/pg/data"])).toContain("contains /srv/pg/data");
  });

  it("accepts what an upgrade leaves in the PostgreSQL home and a dedicated directory", () => {
    const live = ["/var/db/postgres/data17"];
    expect(destructivePathProblem("/var/db/postgres/data13.pre-upgrade", live)).toBeUndefined();
    expect(destructivePathProblem("/var/db/postgres/upgrade", live)).toBeUndefined();
    expect(destructivePathProblem("/var/backups/pg-upgrade", live)).toBeUndefined();
  });
});

describe("canonicalPathScript on the host", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-guard-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const removeGuarded = (path: string) =>
    spawnSync("/bin/sh", ["-c", `set -eu\n${canonicalPathScript(path)}\nrm -rf '${path}'`], {
      encoding: "utf8",
    });

  it("refuses a path that passes through a symbolic link, and the target survives", () => {
    mkdirSync(join(dir, "victim"));
    writeFileSync(join(dir, "victim/precious"), "x");
    symlinkSync(join(dir, "victim"), join(dir, "link"));
    const r = removeGuarded(join(dir, "link/precious"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("symbolic link: refusing to remove it");
    expect(existsSync(join(dir, "victim/precious"))).toBe(true);
  });

  it("lets a real path through (and a missing one)", () => {
    const real = execFileSync("realpath", [dir], { encoding: "utf8" }).trim();
    mkdirSync(join(real, "plain"));
    expect(removeGuarded(join(real, "plain")).status).toBe(0);
    expect(existsSync(join(real, "plain"))).toBe(false);
    expect(removeGuarded(join(real, "missing")).status).toBe(0);
  });
});
