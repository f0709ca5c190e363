// provision update's planning and order, against a scripted connector (the host's answers as
// pkg(8), freebsd-update(8) and bectl(8) give them; their emulators' tests cite the sources).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Connector } from "../../src/connector/types.js";
import { neededPackages } from "../../src/update/needed.js";
import {
  parsePkgUpgrade,
  pkgUpgradeProblems,
  servicesToRestart,
} from "../../src/update/pkg-upgrade.js";
import {
  bootEnvironmentName,
  fetchedRelease,
  type UpdateEvent,
  update,
} from "../../src/update/update.js";
import { ROOT } from "../helpers/cli.js";
import { hostsFrom } from "../helpers/render.js";

const SWAP = `Updating FreeBSD repository catalogue...
Checking for upgrades (1 candidates): 100%
The following 4 package(s) will be affected (of 0 checked):

Installed packages to be REMOVED:
\tpostgresql17-client: 17.10
\tpostgresql17-server: 17.10

New packages to be INSTALLED:
\tpostgresql18-client: 18.1

Installed packages to be UPGRADED:
\tcoturn: 4.6.3 -> 4.7.0

Number of packages to be removed: 2
`;
const PLAIN = `Installed packages to be UPGRADED:
\tcurl: 8.14.1 -> 8.15.0
\tpython311: 3.11.13 -> 3.11.14

Number of packages to be upgraded: 2
`;
const FETCH = `The following files will be updated as part of updating to
14.3-RELEASE-p3:
/bin/freebsd-version
`;
const [host] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
if (!host) throw new Error("no host");
const NEEDED = new Set(["postgresql17-server", "postgresql17-client", "coturn", "curl"]);

function fakeHost(answers: [RegExp, number, string][]) {
  const ran: string[] = [];
  const conn: Connector = {
    name: "matrix",
    roundTrips: 0,
    close: async () => {},
    exec: async (script) => {
      ran.push(script);
      const a = answers.find(([re]) => re.test(script));
      return { code: a?.[1] ?? 0, stdout: a?.[2] ?? "", stderr: "" };
    },
  };
  return { conn, ran };
}

describe("pkg upgrade -n", () => {
  it("reads pkg's job summary", () => {
    expect(parsePkgUpgrade(SWAP)).toEqual({
      removed: [
        { name: "postgresql17-client", version: "17.10" },
        { name: "postgresql17-server", version: "17.10" },
      ],
      installed: [{ name: "postgresql18-client", version: "18.1" }],
      upgraded: [{ name: "coturn", version: "4.7.0", from: "4.6.3" }],
      reinstalled: [],
    });
  });
  it("refuses a PostgreSQL swap and removing what a recipe installs", () => {
    expect(pkgUpgradeProblems(parsePkgUpgrade(SWAP), NEEDED, 17)).toEqual([
      "it would remove postgresql17-client, which the recipes install",
      "it would remove postgresql17-server, which the recipes install",
      "it would replace PostgreSQL 17's packages (postgresql17-client, postgresql17-server, postgresql18-client); a major change is `provision upgrade-postgres`'s job",
    ]);
    expect(pkgUpgradeProblems(parsePkgUpgrade(PLAIN), NEEDED, 17)).toEqual([]);
  });
  it("restarts the services whose packages changed", () => {
    expect(servicesToRestart(parsePkgUpgrade(PLAIN))).toEqual(["synapse"]);
    expect(servicesToRestart(parsePkgUpgrade(SWAP))).toEqual(["synapse", "turnserver"]);
  });
});

describe("freebsd-update and bectl", () => {
  it("reads the patch release fetch will install", () => {
    expect(fetchedRelease(FETCH)).toBe("14.3-RELEASE-p3");
    expect(fetchedRelease("No updates needed to update system to 14.3-RELEASE-p2.")).toBe(
      undefined,
    );
  });
  it("names boot environments by UTC time", () => {
    expect(bootEnvironmentName(new Date("2026-11-28T01:15:00.123Z"))).toBe(
      "provision-20261128T011500Z",
    );
  });
});

describe("update", () => {
  const now = new Date("2026-11-28T01:15:00Z");
  it("refuses a PostgreSQL swap before changing anything", async () => {
    const { conn, ran } = fakeHost([[/pkg upgrade -n/, 1, SWAP]]);
    const events: UpdateEvent[] = [];
    await expect(
      update({ conn, confirm: async () => true, emit: (e) => events.push(e) }, host, NEEDED, now),
    ).rejects.toThrow("the package upgrade is refused; nothing was changed");
    expect(ran.some((s) => /pkg upgrade -y|bectl create|install$/.test(s))).toBe(false);
  });
  it("creates the boot environment first, then upgrades, installs, restarts what runs", async () => {
    const { conn, ran } = fakeHost([
      [/pkg upgrade -n/, 1, PLAIN],
      [/freebsd-update .* fetch/, 0, FETCH],
      [/^freebsd-version -u$/, 0, "14.3-RELEASE-p2\n"],
      [/onestatus/, 0, "synapse\n"],
    ]);
    const events: UpdateEvent[] = [];
    expect(
      await update(
        { conn, confirm: async () => true, emit: (e) => events.push(e) },
        host,
        NEEDED,
        now,
      ),
    ).toBe(true);
    const changing = ran.filter((s) => /bectl create|upgrade -y|install$|restart$/.test(s));
    expect(changing).toEqual([
      "bectl create provision-20261128T011500Z",
      "env ASSUME_ALWAYS_YES=yes pkg upgrade -y",
      "env PAGER=cat freebsd-update --not-running-from-cron install",
      "service synapse restart",
    ]);
    expect(events.at(-1)).toMatchObject({
      type: "update_result",
      changed: true,
      bootEnvironment: "provision-20261128T011500Z",
    });
  });
  it("changes nothing without consent", async () => {
    const { conn, ran } = fakeHost([[/pkg upgrade -n/, 1, PLAIN]]);
    expect(
      await update({ conn, confirm: async () => false, emit: () => {} }, host, NEEDED, now),
    ).toBe(false);
    expect(ran.some((s) => /upgrade -y/.test(s))).toBe(false);
  });
});

describe("packages the recipes need", () => {
  it("are the inventory's choices: its PostgreSQL major, coturn with TURN on", () => {
    const needed = neededPackages(host);
    for (const p of ["postgresql17-server", "postgresql17-client", "coturn", "curl", "python311"])
      expect(needed.has(p), p).toBe(true);
    expect(needed.has("postgresql13-server")).toBe(false);
  });
});
