// pkg(8) of the test host against a temporary root: FreeBSD's package graph and pkg's own
// messages. References: freebsd/pkg src/install.c, src/delete.c, libpkg/pkg_jobs.c (conflicts,
// "Installed packages to be REMOVED"), src/utils.c (print_jobs_summary); the graph follows
// ports:Mk/bsd.default-versions.mk (PGSQL_DEFAULT=17), ports:databases/postgresql17-server/
// Makefile@1d902ba93665 (CONFLICTS, the server needs its own client), ports:Mk/Uses/python.mk@
// 008c78011e11 (flavors: binary py* packages only for the default Python, allflavors for
// py-sqlite3 per ports:databases/py-sqlite3/Makefile@06a08e69f3ac).
import { existsSync, lstatSync, mkdirSync, readlinkSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
const pkg = (...args: string[]) =>
  host.run("/usr/sbin/pkg", args, { env: { ASSUME_ALWAYS_YES: "yes" } });
const installed = () =>
  Object.keys(JSON.parse(host.read("/var/db/pkg/testhost-installed.json"))).sort();

beforeEach(() => {
  host = makeRoot();
});
afterEach(() => host.cleanup());

describe("pkg bootstrap", () => {
  it("registers pkg through pkg add (one writer of the database) and then runs it", () => {
    expect(host.run("/usr/sbin/pkg", ["-N"])).toMatchObject({
      code: 1,
      stderr: "pkg: pkg is not installed\n",
    });
    const refused = host.run("/usr/sbin/pkg", ["info"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Please set ASSUME_ALWAYS_YES=yes");
    const r = pkg("bootstrap");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Installing pkg-2.1.2...\nExtracting pkg-2.1.2: 100%\n");
    expect(installed()).toEqual(["pkg"]);
    expect(existsSync(host.file("/usr/local/sbin/pkg"))).toBe(true);
    expect(pkg("-N")).toMatchObject({ code: 0, stderr: "pkg: 1 packages installed\n" });
    expect(pkg("bootstrap", "-y").stdout).toBe("pkg already bootstrapped at /usr/local/sbin/pkg\n");
    // pkg(8): -v, --version displays the current version of pkg.
    expect(pkg("-v")).toMatchObject({ code: 0, stdout: "2.1.2\n" });
    expect(pkg("--version")).toMatchObject({ code: 0, stdout: "2.1.2\n" });
    // pkg-info(8): -e exits 0 when installed; -g takes the name as a glob (Ansible's pkgng asks so).
    expect(pkg("info", "-g", "-e", "pkg").code).toBe(0);
    expect(pkg("info", "-g", "-e", "pk?").code).toBe(0);
    expect(pkg("info", "-g", "-e", "curl").code).toBe(1);
  });
});

describe("pkg install: FreeBSD's dependency graph", () => {
  beforeEach(() => {
    expect(pkg("bootstrap").code).toBe(0);
  });

  it("py311-psycopg2 depends on the default PostgreSQL client (17), not on any client", () => {
    expect(pkg("install", "-y", "postgresql16-server").code).toBe(0);
    expect(installed()).toEqual(["pkg", "postgresql16-client", "postgresql16-server"]);
    const r = pkg("install", "-y", "py311-psycopg2");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Checking integrity... done (1 conflicting)\n  - postgresql17-client-17.10 conflicts with postgresql16-client-16.14 on /usr/local/bin/createdb\n",
    );
    expect(r.stdout).toContain(
      "Installed packages to be REMOVED:\n\tpostgresql16-client: 16.14\n\tpostgresql16-server: 16.14\n\nNew packages to be INSTALLED:\n\tpython311: 3.11.13\n\tpostgresql17-client: 17.10\n\tpy311-psycopg2: 2.9.10\n",
    );
    expect(r.stdout).toContain(
      "Number of packages to be removed: 2\nNumber of packages to be installed: 3\n",
    );
    expect(r.stdout).toContain("Deinstalling postgresql16-server-16.14...");
    // The server went with its client: its binaries and rc script are gone.
    expect(installed()).toEqual(["pkg", "postgresql17-client", "py311-psycopg2", "python311"]);
    expect(existsSync(host.file("/usr/local/etc/rc.d/postgresql"))).toBe(false);
    expect(lstatSync(host.file("/usr/local/bin/pg_config")).isSymbolicLink()).toBe(true);
  });

  it("the server depends on its own client and replaces another major's", () => {
    expect(pkg("install", "-y", "postgresql17-server").code).toBe(0);
    const r = pkg("install", "-y", "postgresql15-client");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Installed packages to be REMOVED:\n\tpostgresql17-client: 17.10\n\tpostgresql17-server: 17.10\n",
    );
    expect(installed()).toEqual(["pkg", "postgresql15-client"]);
  });

  it("a request needing two majors at once cannot be solved", () => {
    const r = pkg("install", "-y", "postgresql16-server", "py311-psycopg2");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("pkg: Cannot solve problem using SAT solver\n");
    expect(installed()).toEqual(["pkg"]);
  });

  it("py311-matrix-synapse is prebuilt and pulls py311-psycopg2 and so postgresql17-client", () => {
    const r = pkg("install", "-y", "py311-matrix-synapse");
    expect(r.code).toBe(0);
    expect(installed()).toEqual([
      "pkg",
      "postgresql17-client",
      "py311-matrix-synapse",
      "py311-psycopg2",
      "py311-sqlite3",
      "python311",
    ]);
    // The port's rc script and its user (USERS=synapse, ports:UIDs@000b96ce2a62: 126:141).
    expect(existsSync(host.file("/usr/local/etc/rc.d/synapse"))).toBe(true);
    expect(host.read("/etc/passwd")).toContain(
      "synapse:x:126:141:Synapse Daemon:/nonexistent:/usr/sbin/nologin\n",
    );
  });

  it("packages exist per Python flavor only where FreeBSD builds them", () => {
    expect(pkg("install", "-y", "py312-sqlite3").code).toBe(0);
    for (const missing of ["py312-psycopg2", "py312-matrix-synapse", "py312-virtualenv"])
      expect(pkg("install", "-y", missing)).toMatchObject({
        code: 1,
        stderr: `pkg: No packages available to install matching '${missing}' have been found in the repositories\n`,
      });
  });

  it("build tools come with their packages: rust (rustc, cargo), gmake, pkgconf; pg_config with the client", () => {
    expect(
      pkg("install", "-y", "rust", "gmake", "pkgconf", "libsodium", "postgresql16-client").code,
    ).toBe(0);
    for (const tool of ["rustc", "cargo", "gmake", "pkg-config"])
      expect(readlinkSync(host.file(`/usr/local/bin/${tool}`))).toMatch(/files\/toolchain\/tool$/);
    expect(readlinkSync(host.file("/usr/local/bin/pg_config"))).toBe(
      "/usr/lib/postgresql/15/bin/pg_config",
    );
  });

  it("creates the postgres user (770) of the server port in passwd and group", () => {
    expect(pkg("install", "-y", "postgresql17-server").code).toBe(0);
    expect(host.read("/etc/passwd")).toContain(
      "postgres:x:770:770:PostgreSQL Daemon:/var/db/postgres:/bin/sh\n",
    );
    expect(host.read("/etc/group")).toContain("postgres:x:770:\n");
    expect(existsSync(host.file("/usr/local/etc/periodic/daily/502.pgsql"))).toBe(true);
  });

  it("deletes recursively, but coturn does not depend on PostgreSQL (ports:net/coturn, 4.5.2)", () => {
    expect(pkg("install", "-y", "py311-psycopg2", "coturn").code).toBe(0);
    const r = pkg("delete", "-y", "postgresql17-client");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Installed packages to be REMOVED:\n\tpostgresql17-client: 17.10\n\tpy311-psycopg2: 2.9.10\n",
    );
    expect(installed()).toContain("coturn");
    expect(pkg("delete", "-y", "postgresql17-client")).toMatchObject({
      code: 1,
      stdout: "1 packages requested for removal: 0 locked, 1 missing\n",
    });
  });

  it("info -e and query answer as pkg does", () => {
    expect(pkg("info", "-e", "apache24")).toEqual({ code: 1, stdout: "", stderr: "" });
    expect(pkg("info", "apache24")).toMatchObject({
      code: 1,
      stderr: "pkg: No package(s) matching apache24\n",
    });
    expect(pkg("install", "-y", "python311").code).toBe(0);
    expect(pkg("query", "%n %v", "python311").stdout).toBe("python311 3.11.13\n");
    expect(pkg("query", "%n %v", "nothere")).toEqual({ code: 1, stdout: "", stderr: "" });
    expect(pkg("info").stdout).toMatch(/^pkg-2\.1\.2 {22}Package manager$/m);
  });
});

describe("pkg fetch, create and add (pkg-fetch(8), pkg-create(8), pkg-add(8))", () => {
  beforeEach(() => {
    expect(pkg("bootstrap").code).toBe(0);
  });

  it("fetch -d lists the dependencies; create and add bring a removed pair back in order", () => {
    const f = pkg("fetch", "-y", "-d", "postgresql16-server");
    expect(f.code).toBe(0);
    expect(f.stdout).toMatch(
      /New packages to be FETCHED:\n\tpostgresql16-server-[0-9.]+\n\tpostgresql16-client-[0-9.]+\n/,
    );
    expect(pkg("fetch", "-y", "nosuchpkg")).toMatchObject({
      code: 1,
      stderr:
        "pkg: No packages available to fetch matching 'nosuchpkg' have been found in the repositories\n",
    });
    expect(pkg("install", "-y", "postgresql16-server").code).toBe(0);
    const dir = host.file("/tmp/pkgs");
    expect(pkg("create", "-o", dir, "postgresql16-server").code).toBe(1);
    mkdirSync(dir, { recursive: true });
    expect(pkg("create", "-o", dir, "postgresql16-server", "postgresql16-client").code).toBe(0);
    expect(pkg("delete", "-y", "postgresql16-client").code).toBe(0);
    expect(installed()).toEqual(["pkg"]);
    const files = ["postgresql16-server", "postgresql16-client"].map(
      (n) => `${dir}/${n}-${JSON.parse(host.read(`/tmp/pkgs/${n}-16.14.pkg`)).version}.pkg`,
    );
    expect(pkg("add", ...files).code).toBe(0);
    expect(installed()).toEqual(["pkg", "postgresql16-client", "postgresql16-server"]);
  });
});
