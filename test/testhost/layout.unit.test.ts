// The test-host source tree: overlay/ holds FreeBSD paths only, and every program or rc.d script
// in it is executable, as service(8) and rc.subr require ("cannot run", "does not exist ... or
// is not executable"); the packages' rc scripts and the harness likewise.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { TESTHOST_DIR } from "../../testhost/src/paths.js";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const FREEBSD_TOP = ["etc", "usr/bin", "usr/sbin", "usr/libexec"];

describe("testhost/ layout", () => {
  it("overlay/ has FreeBSD paths only (no harness under /usr/local)", () => {
    const outside = files(join(TESTHOST_DIR, "overlay"))
      .map((f) => relative(join(TESTHOST_DIR, "overlay"), f))
      .filter((f) => !FREEBSD_TOP.some((top) => f.startsWith(`${top}/`)));
    expect(outside).toEqual([]);
  });
  it("every program and rc script is executable", () => {
    const programs = [
      ...["usr/bin", "usr/sbin", "usr/libexec", "etc/rc.d"].flatMap((d) =>
        files(join(TESTHOST_DIR, "overlay", d)),
      ),
      ...files(join(TESTHOST_DIR, "packages/rc.d")),
      join(TESTHOST_DIR, "packages/files/pkg/pkg"),
      join(TESTHOST_DIR, "packages/files/toolchain/tool"),
      join(TESTHOST_DIR, "packages/files/apache24/httpd"),
      ...["setup-image", "init", "acme-server"].map((f) => join(TESTHOST_DIR, "harness", f)),
    ];
    const notExecutable = programs.filter((f) => (statSync(f).mode & 0o111) !== 0o111);
    expect(notExecutable.map((f) => relative(TESTHOST_DIR, f))).toEqual([]);
  });
});
