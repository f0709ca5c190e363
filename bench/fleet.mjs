// Many test hosts at once: `apply` on 10 fresh hosts in parallel (timed), then the rest of the
// fleet converged, then a no-op `plan` across all of them against a no-op plan of one host.
// Usage (under the test-host lock): flock /var/tmp/provision-e2e.lock node bench/fleet.mjs [N]
// N defaults to 50; every host is a full one (PostgreSQL, Apache, coturn, the Synapse stand-in).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const count = Number(process.argv[2] ?? 50);
const root = join(import.meta.dirname, "..");
const { startHosts } = await import("../dist/testhost/testhost-lib.js");
const dir = mkdtempSync(join(tmpdir(), "provision-bench-fleet-"));
const t0 = performance.now();
const set = await startHosts(count, dir);
console.log(`${count} hosts up: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const env = { ...process.env, PROVISION_AGE_IDENTITY_FILE: join(dir, "age.txt"), NO_COLOR: "1" };
const provision = (...args) =>
  spawnSync(
    process.execPath,
    [join(root, "bin/provision.js"), ...args, "-i", join(dir, "inventory.yaml")],
    {
      env,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    },
  );
const timed = (...args) => {
  const t = performance.now();
  const r = provision(...args);
  return { r, s: (performance.now() - t) / 1000 };
};
const names = set.hosts.map((h) => h.name);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  if (provision("secrets", "init").status !== 0) throw new Error("secrets init failed");
  const first = names.slice(0, 10).join(",");
  const apply10 = timed("apply", "--yes", "--limit", first, "--concurrency", "10");
  if (apply10.r.status !== 0) throw new Error(`apply failed: ${apply10.r.stdout.slice(-2000)}`);
  console.log(`apply on 10 fresh hosts in parallel: ${apply10.s.toFixed(1)} s`);
  if (count > 10) {
    const rest = timed(
      "apply",
      "--yes",
      "--limit",
      `all,!${names.slice(0, 10).join(",!")}`,
      "--concurrency",
      "10",
    );
    if (rest.r.status !== 0) throw new Error(`apply failed: ${rest.r.stdout.slice(-2000)}`);
    console.log(
      `apply on the other ${count - 10} fresh hosts, 10 at a time: ${rest.s.toFixed(1)} s`,
    );
  }
  const one = [];
  const all = [];
  for (let i = 0; i < 3; i++) {
    const a = timed("plan", "--detailed-exitcode", "--limit", names[0]);
    const b = timed("plan", "--detailed-exitcode", "--concurrency", String(count));
    if (a.r.status !== 0 || b.r.status !== 0) throw new Error("the fleet is not converged");
    one.push(a.s);
    all.push(b.s);
  }
  console.log(
    `no-op plan: 1 host median ${median(one).toFixed(2)} s; ${count} hosts median ${median(all).toFixed(2)} s (${(median(all) / median(one)).toFixed(1)}x)`,
  );
} finally {
  await Promise.all(set.containers.map((c) => c.stop({ remove: true, timeout: 1000 })));
}
