// The Synapse stand-in's build step: a MODEL of building matrix-synapse[postgres] and its
// compiled dependencies from source on FreeBSD (freebsd-facts §13: no FreeBSD wheels on PyPI;
// setuptools-rust needs rustc/cargo; psycopg2's setup.py needs pg_config from
// postgresqlNN-client, ports:databases/postgresql17-server/pkg-plist-client@7327472603f9;
// PyNaCl's bundled libsodium fails under BSD make, github.com/pyca/pynacl/issues/893, unless
// gmake is on PATH or SODIUM_INSTALL=system with security/libsodium; Pillow needs jpeg-turbo,
// cffi libffi). pip itself runs the builds, offline, from the index the image serves.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TESTHOST_DIR } from "../../testhost/src/paths.js";
import { makeRoot } from "./emu.js";

let index: string;
let debianIndex: string;
let host: ReturnType<typeof makeRoot>;

beforeAll(() => {
  index = mkdtempSync(join(tmpdir(), "testhost-index-"));
  const r = spawnSync("python3", [join(TESTHOST_DIR, "standin/build_index.py"), index, "1.156.0"]);
  expect(r.status).toBe(0);
  debianIndex = mkdtempSync(join(tmpdir(), "testhost-index-"));
  const d = spawnSync("python3", [
    join(TESTHOST_DIR, "standin/build_index.py"),
    "--debian",
    "1.160.0",
    debianIndex,
  ]);
  expect(d.status).toBe(0);
});
afterAll(() => {
  rmSync(index, { recursive: true, force: true });
  rmSync(debianIndex, { recursive: true, force: true });
});
beforeEach(() => {
  host = makeRoot();
});
afterEach(() => host.cleanup());

const pkg = (...names: string[]) =>
  expect(
    host.run("/usr/sbin/pkg", ["install", "-y", ...names], { env: { ASSUME_ALWAYS_YES: "yes" } })
      .code,
  ).toBe(0);
/** A tool as its FreeBSD package installs it, runnable here (the links point into the image). */
const tool = (name: string) => host.write(`/usr/local/bin/${name}`, "#!/bin/sh\nexit 0\n", 0o755);

/** pip install matrix-synapse[postgres]==1.156.0 from the local index into a target directory. */
function pipInstall(
  env: Record<string, string> = {},
  from = index,
  spec = "matrix-synapse[postgres]==1.156.0",
) {
  const target = join(host.root, "venv");
  mkdirSync(target, { recursive: true });
  const r = spawnSync(
    "python3",
    [
      "-m",
      "pip",
      "install",
      "--no-input",
      "--no-index",
      "--no-cache-dir",
      "--disable-pip-version-check",
      "--find-links",
      from,
      "--target",
      target,
      spec,
    ],
    {
      encoding: "utf8",
      env: {
        PATH: `/usr/local/bin:/usr/bin:/bin:${process.env.PATH}`,
        HOME: host.root,
        TESTHOST_ROOT: host.root,
        PYTHONDONTWRITEBYTECODE: "1",
        ...env,
      },
    },
  );
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("pip install matrix-synapse[postgres] on the model of a FreeBSD host", () => {
  it("psycopg2 without pg_config on PATH: psycopg2's own error at metadata time", () => {
    const r = pipInstall();
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("Error: pg_config executable not found.");
    expect(r.out).toContain("pg_config is required to build psycopg2 from source.");
  });

  it("PyNaCl with neither gmake nor libsodium: BSD make fails on libsodium's Makefile", () => {
    tool("pg_config");
    pkg("libffi", "jpeg-turbo");
    const r = pipInstall();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/make: ".*\/test\/default\/Makefile" line 2952: Invalid line type/);
    expect(r.out).toContain("Failed to build PyNaCl");
  });

  it("SODIUM_INSTALL=system needs the libsodium package", () => {
    tool("pg_config");
    pkg("libffi", "jpeg-turbo");
    const r = pipInstall({ SODIUM_INSTALL: "system" });
    expect(r.out).toContain("fatal error: 'sodium.h' file not found");
    pkg("libsodium");
    expect(pipInstall({ SODIUM_INSTALL: "system" }).out).not.toContain("sodium.h");
  });

  it("the Synapse Rust extension without rustc and cargo: setuptools-rust's error", () => {
    tool("pg_config");
    pkg("libffi", "jpeg-turbo", "gmake");
    tool("gmake");
    const r = pipInstall();
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("error: can't find Rust compiler");
    expect(r.out).toContain("Failed to build matrix-synapse");
  });

  it("Pillow needs jpeg-turbo and cffi libffi", () => {
    tool("pg_config");
    tool("gmake");
    tool("rustc");
    tool("cargo");
    const r = pipInstall();
    expect(r.out).toContain("The headers or library files could not be found for jpeg,");
    expect(r.out).toContain("fatal error: 'ffi.h' file not found");
  });

  it("builds and installs when every FreeBSD build package is there", () => {
    for (const t of ["pg_config", "gmake", "rustc", "cargo"]) tool(t);
    pkg("libffi", "jpeg-turbo");
    const r = pipInstall();
    expect(r.out).toContain("Successfully installed");
    expect(r.code).toBe(0);
    const version = spawnSync("python3", ["-c", "import synapse; print(synapse.__version__)"], {
      encoding: "utf8",
      env: { PYTHONPATH: join(host.root, "venv") },
    });
    expect(version.stdout).toBe("1.156.0\n");
  });
});

describe("the real-Synapse profile's index: Debian's matrix-synapse through the same build", () => {
  const buildPackages = () => {
    for (const t of ["pg_config", "gmake", "rustc", "cargo"]) tool(t);
    pkg("libffi", "jpeg-turbo");
  };

  it("installs a .pth that points the virtualenv at Debian's dist-packages, and no modules", () => {
    buildPackages();
    const r = pipInstall({}, debianIndex, "matrix-synapse[postgres]==1.160.0");
    expect(r.out).toContain("Successfully installed");
    expect(r.code).toBe(0);
    expect(readFileSync(join(host.root, "venv/matrix_synapse_debian.pth"), "utf8")).toBe(
      "/usr/lib/python3/dist-packages\n",
    );
    expect(existsSync(join(host.root, "venv/synapse"))).toBe(false);
  });

  it("still runs the modelled build checks (no Rust compiler: setuptools-rust's error)", () => {
    tool("pg_config");
    tool("gmake");
    pkg("libffi", "jpeg-turbo");
    const r = pipInstall({}, debianIndex, "matrix-synapse[postgres]==1.160.0");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("error: can't find Rust compiler");
  });

  it("refuses any other version with pip's own error", () => {
    buildPackages();
    const r = pipInstall({}, debianIndex, "matrix-synapse[postgres]==1.157.0");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("(from versions: 1.160.0)");
    expect(r.out).toContain("No matching distribution found for matrix-synapse[postgres]==1.157.0");
  });
});
