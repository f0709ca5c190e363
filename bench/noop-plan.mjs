// A no-op plan of the whole recipe on one converged test host: wall time of the CLI process
// (start, connect, facts, plan) and the exec round trips it needed after connecting.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const { startHosts } = await import("../dist/testhost/testhost-lib.js");
const dir = mkdtempSync(join(tmpdir(), "provision-bench-plan-"));
const set = await startHosts(1, dir);
const env = { ...process.env, PROVISION_AGE_IDENTITY_FILE: join(dir, "age.txt"), NO_COLOR: "1" };
const cli = (...args) =>
  spawnSync(
    process.execPath,
    [join(root, "bin/provision.js"), ...args, "-i", join(dir, "inventory.yaml")],
    { env, encoding: "utf8" },
  );
try {
  if (cli("secrets", "init").status !== 0) throw new Error("secrets init failed");
  const t0 = performance.now();
  const apply = cli("apply", "--yes");
  if (apply.status !== 0) throw new Error(`apply failed: ${apply.stderr}`);
  console.log(
    `first apply of the whole recipe on a fresh host: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const times = [];
  let trips = "";
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        join(root, "bin/provision.js"),
        "plan",
        "--detailed-exitcode",
        "-i",
        join(dir, "inventory.yaml"),
      ],
      {
        env: { ...env, PROVISION_STATS: "1" },
        encoding: "utf8",
      },
    );
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`plan not converged (exit ${r.status}): ${r.stdout}`);
    trips = r.stderr.trim();
  }
  times.sort((a, b) => a - b);
  console.log(
    `no-op plan (whole recipe, CLI process): min ${times[0].toFixed(0)} ms, median ${times[5].toFixed(0)} ms, max ${times[9].toFixed(0)} ms over 10 runs`,
  );
  console.log(trips.replace("stats: ", "round trips after connecting: "));
} finally {
  await Promise.all(set.containers.map((c) => c.stop({ remove: true, timeout: 1000 })));
}
