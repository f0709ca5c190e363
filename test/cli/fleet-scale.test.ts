// A fleet of a thousand hosts in four region groups, as CI jobs split it (docs/fleets.md):
// each job's --limit selects exactly its group, and the offline checks stay fast.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { limitHosts } from "../../src/cli/limit.js";
import { loadInventory } from "../../src/inventory/load.js";
import type { Inventory } from "../../src/inventory/types.js";
import { cli } from "../helpers/cli.js";
import { fleetHostName, REGIONS, writeFleetInventory } from "./fleet-inventory.js";

const COUNT = 1000;
const dir = mkdtempSync(join(tmpdir(), "provision-fleet-scale-"));
writeFleetInventory(join(dir, "inv.yaml"), COUNT);
const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
const timed = (args: string[]) => {
  const t0 = performance.now();
  const r = cli([...args, "-i", "inv.yaml"], { cwd: dir, env });
  return { ...r, seconds: (performance.now() - t0) / 1000 };
};

describe("a 1000-host fleet split by group", { timeout: 120_000 }, () => {
  it("--limit GROUP selects exactly that group's hosts, and the groups cover the fleet once", () => {
    const inventory = loadInventory(join(dir, "inv.yaml")).inventory as Inventory;
    expect(inventory.hosts).toHaveLength(COUNT);
    const seen = new Set<string>();
    for (const [r, region] of REGIONS.entries()) {
      const chosen = limitHosts(inventory, region).map((h) => h.name);
      const expected = Array.from({ length: COUNT }, (_, i) => i)
        .filter((i) => i % REGIONS.length === r)
        .map(fleetHostName)
        .sort();
      expect(chosen).toEqual(expected);
      for (const n of chosen) seen.add(n);
    }
    expect(seen.size).toBe(COUNT);
    // A canary slice of one group, as a job would roll out first.
    expect(limitHosts(inventory, "europe:&europe-00*").map((h) => h.name)).toEqual(
      ["europe-0000", "europe-0004", "europe-0008"].concat(
        Array.from({ length: 22 }, (_, k) => fleetHostName(12 + 4 * k)),
      ),
    );
  });

  it("validate and plan --assume-fresh --limit GROUP stay fast (measured, printed)", () => {
    const validate = timed(["validate"]);
    expect(validate.code, validate.stderr).toBe(0);
    const plan = timed(["plan", "--assume-fresh", "--limit", "asia", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = plan.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "change_summary");
    expect(planned).toHaveLength(COUNT / REGIONS.length);
    process.stdout.write(
      `fleet of ${COUNT}: validate ${validate.seconds.toFixed(2)} s, plan --assume-fresh --limit asia (${planned.length} hosts) ${plan.seconds.toFixed(2)} s\n`,
    );
    // Generous bounds: a CI job's own work must not be dwarfed by reading the inventory.
    expect(validate.seconds).toBeLessThan(20);
    expect(plan.seconds).toBeLessThan(60);
  });
});
