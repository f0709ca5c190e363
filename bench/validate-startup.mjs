// Cold start of `provision validate` on the example inventory: a new Node process per run,
// as CI pipelines invoke it. Prints min / median / p95 wall time over N runs.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const runs = Number(process.env.RUNS ?? 30);
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [join(root, "bin/provision.js"), "validate", "-i", "inventory.example.yaml"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`validate exited ${r.status}: ${r.stdout}${r.stderr}`);
  times.push(ms);
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
console.log(
  `validate (cold process, example inventory, ${runs} runs): min ${times[0].toFixed(0)} ms, median ${pct(50).toFixed(0)} ms, p95 ${pct(95).toFixed(0)} ms`,
);
