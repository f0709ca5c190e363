// The test host's tools for OS and package updates, against a temporary root.
// pkg upgrade: freebsd/pkg src/upgrade.c (a dry run prints the summary and exits 1 when there is
// something to do, 0 with "Your packages are up to date."), src/utils.c print_jobs_summary
// ("Installed packages to be UPGRADED:", "name: old -> new"), libpkg/pkg_jobs.c (a new
// dependency conflicting with an installed package removes it and what depends on it).
// freebsd-update: usr.sbin/freebsd-update/freebsd-update.sh (fetch_check_params refuses a run
// without a terminal unless --not-running-from-cron; install without a fetch exits 2).
// bectl: sbin/bectl/bectl.c (libbe_init failure without a ZFS root, exit 255; check is silent).
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRoot, PACKAGES } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
let repo: string;
const catalog = JSON.parse(readFileSync(join(PACKAGES, "catalog.json"), "utf8"));

/** A repository whose catalogue offers these newer versions. */
function offer(upgrades: Record<string, { version: string; deps?: string[] }>) {
  const c = structuredClone(catalog);
  for (const [name, u] of Object.entries(upgrades)) c.packages[name].upgrade = u;
  writeFileSync(join(repo, "catalog.json"), JSON.stringify(c));
}
const pkg = (...args: string[]) =>
  host.run("/usr/sbin/pkg", args, {
    env: { ASSUME_ALWAYS_YES: "yes", TESTHOST_PACKAGES: repo },
  });
const versions = () => JSON.parse(host.read("/var/db/pkg/testhost-installed.json"));

beforeEach(() => {
  host = makeRoot();
  repo = mkdtempSync(join(tmpdir(), "testhost-repo-"));
  symlinkSync(join(PACKAGES, "files"), join(repo, "files"));
  symlinkSync(join(PACKAGES, "rc.d"), join(repo, "rc.d"));
  offer({});
});
afterEach(() => {
  host.cleanup();
  rmSync(repo, { recursive: true, force: true });
});

describe("pkg upgrade", () => {
  beforeEach(() => {
    expect(pkg("bootstrap").code).toBe(0);
    expect(pkg("install", "-y", "curl", "postgresql15-server", "coturn").code).toBe(0);
  });

  it("up to date: exit 0 and says so, dry run or not", () => {
    const r = pkg("upgrade", "-n");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Your packages are up to date.\n");
  });

  it("a dry run lists the upgrades and exits 1; the run applies them", () => {
    offer({ curl: { version: "8.15.0" } });
    const dry = pkg("upgrade", "-n");
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(
      "Installed packages to be UPGRADED:\n\tcurl: 8.14.1 -> 8.15.0\n\nNumber of packages to be upgraded: 1\n",
    );
    expect(versions().curl.version).toBe("8.14.1");
    const run = pkg("upgrade", "-y");
    expect(run.code).toBe(0);
    expect(versions().curl.version).toBe("8.15.0");
    expect(pkg("upgrade", "-n").code).toBe(0);
  });

  it("an upgrade that needs another PostgreSQL client removes the installed client and server", () => {
    offer({ coturn: { version: "4.7.0", deps: ["postgresql17-client"] } });
    const dry = pkg("upgrade", "-n");
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(
      "Installed packages to be REMOVED:\n\tpostgresql15-client: 15.18\n\tpostgresql15-server: 15.18\n",
    );
    expect(dry.stdout).toContain("New packages to be INSTALLED:\n\tpostgresql17-client: 17.10\n");
    expect(dry.stdout).toContain("Installed packages to be UPGRADED:\n\tcoturn: ");
  });
});

describe("freebsd-update", () => {
  const fu = (...args: string[]) => host.run("/usr/sbin/freebsd-update", args);
  it("refuses fetch without a terminal unless --not-running-from-cron", () => {
    expect(fu("fetch")).toMatchObject({
      code: 1,
      stdout:
        "freebsd-update fetch should not be run non-interactively.\nRun freebsd-update cron instead.\n",
    });
  });
  it("install without a fetch exits 2", () => {
    expect(fu("install")).toMatchObject({
      code: 2,
      stdout: "No updates are available to install.\nRun 'freebsd-update fetch' first.\n",
    });
  });
  it("fetches and installs the offered patch release of the running release only", () => {
    host.write("/etc/testhost-version", "14.3-RELEASE-p2\n");
    expect(fu("--not-running-from-cron", "fetch").stdout).toContain(
      "No updates needed to update system to 14.3-RELEASE-p2.",
    );
    host.write("/var/db/freebsd-update/testhost-available", "14.3-RELEASE-p3\n");
    const f = fu("--not-running-from-cron", "fetch", "install");
    expect(f.code).toBe(0);
    expect(f.stdout).toContain("updating to\n14.3-RELEASE-p3:\n");
    expect(f.stdout).toContain("Installing updates... done.\n");
    expect(host.read("/etc/testhost-version")).toBe("14.3-RELEASE-p3\n");
    expect(host.run("/usr/bin/freebsd-version", []).stdout).toBe("14.3-RELEASE-p3\n");
    host.write("/var/db/freebsd-update/testhost-available", "15.0-RELEASE-p1\n");
    expect(fu("--not-running-from-cron", "fetch").stdout).toContain("No updates needed");
  });
});

describe("bectl", () => {
  const be = (...args: string[]) => host.run("/usr/sbin/bectl", args);
  it("fails as libbe does without a ZFS root; check is silent", () => {
    expect(be("create", "x")).toMatchObject({ code: 255, stderr: 'libbe_init("") failed.\n' });
    expect(be("check")).toMatchObject({ code: 255, stderr: "" });
  });
  it("creates, lists and activates boot environments on a ZFS root", () => {
    host.write("/etc/testhost-zfs-root", "");
    expect(be("check").code).toBe(0);
    expect(be("create", "provision-20261128T011500Z").code).toBe(0);
    expect(be("create", "provision-20261128T011500Z").code).toBe(1);
    expect(be("list", "-H").stdout).toMatch(
      /^default\tNR\t\/\t.*\nprovision-20261128T011500Z\t-\t-\t/,
    );
    expect(be("activate", "provision-20261128T011500Z").stdout).toBe(
      "Successfully activated boot environment provision-20261128T011500Z\n",
    );
    expect(be("list", "-H").stdout).toMatch(/^default\tN\t.*\nprovision-20261128T011500Z\tR\t/);
  });
});
