// Many test hosts at once: `apply` on 10 fresh hosts in parallel (timed), then the rest of the
// fleet converged, then a no-op `plan` across all of them against a no-op plan of one host.
// Usage (under the test-host lock): flock /var/tmp/provision-e2e.lock node bench/fleet.mjs [N]
// N defaults to 50; every host is a full one (PostgreSQL, Apache, coturn, the Synapse stand-in).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

const count = Number(process.argv[2] ?? 50);
const cores = availableParallelism();
const root = join(import.meta.dirname, "..");
const { startHosts } = await import("../dist/testhost/testhost-lib.js");
const dir = mkdtempSync(join(tmpdir(), "provision-bench-fleet-"));
const t0 = performance.now();
const set = await startHosts(count, dir);
console.log(`${count} hosts up: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const env = { ...process.env, PROVISION_AGE_IDENTITY_FILE: join(dir, "age.txt"), NO_COLOR: "1" };
const inventory = join(dir, "inventory.yaml");
const provision = (...args) =>
  spawnSync(process.execPath, [join(root, "bin/provision.js"), ...args, "-i", inventory], {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
/** Busy CPU seconds of the whole machine so far (every core, the hosts' processes included). */
const machineCpu = () => {
  const f = readFileSync("/proc/stat", "utf8")
    .split("\n")[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = f[3] + f[4];
  return (f.reduce((a, b) => a + b, 0) - idle) / 100;
};
/** Runs provision; wall seconds, and CPU seconds of the CLI process against the whole machine's. */
const timed = (...args) => {
  const t = performance.now();
  const c0 = machineCpu();
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "%U %S", process.execPath, join(root, "bin/provision.js"), ...args, "-i", inventory],
    { env, encoding: "utf8", maxBuffer: 1 << 28 },
  );
  const [user, sys] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { r, s: (performance.now() - t) / 1000, cli: user + sys, machine: machineCpu() - c0 };
};
const names = set.hosts.map((h) => h.name);

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
    one.push(a);
    all.push(b);
  }
  const mid = (runs) => [...runs].sort((x, y) => x.s - y.s)[Math.floor(runs.length / 2)];
  const [m1, mN] = [mid(one), mid(all)];
  console.log(
    `no-op plan: 1 host median ${m1.s.toFixed(2)} s; ${count} hosts median ${mN.s.toFixed(2)} s (${(mN.s / m1.s).toFixed(1)}x)`,
  );
  // Where the time goes: the CLI's own CPU against everything else the machine ran meanwhile
  // (the hosts' sshd, shells and emulated commands; anything else running on the machine too).
  for (const [what, m] of [
    ["1 host", m1],
    [`${count} hosts`, mN],
  ]) {
    console.log(
      `  ${what}: CLI CPU ${m.cli.toFixed(2)} s, the rest of the machine ${(m.machine - m.cli).toFixed(2)} s CPU, in ${m.s.toFixed(2)} s wall on ${cores} cores`,
    );
  }
} finally {
  await Promise.all(set.containers.map((c) => c.stop({ remove: true, timeout: 1000 })));
}
