// Runs every benchmark in this folder in turn; each prints its own figures.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const only = process.argv[2];
for (const f of readdirSync(import.meta.dirname).sort()) {
  if (f === "run.mjs" || !f.endsWith(".mjs") || (only && !f.includes(only))) continue;
  const r = spawnSync(process.execPath, [join(import.meta.dirname, f)], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}
