// For a run that includes test-host files: the test-host image is built (where not cached) while
// the unit files run, not after them. With an empty cache that build (Debian sid by mmdebstrap,
// then docker build) takes minutes; overlapped, it costs the run less. It runs at a lower
// priority so the unit files keep their pace. The host files wait for it through the image lock
// (testhost/src/image.ts) and build it if it did not, reporting any error. The run's teardown
// (global.ts) waits for it before it stops the engine.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";
import { ensureEngine } from "../../testhost/src/engine.js";
import { TESTHOST_DIR } from "../../testhost/src/paths.js";
import { ROOT } from "../helpers/cli.js";
import { PREBUILD, setup as setupRun } from "./global.js";

const log = (s: string) => process.stderr.write(`testhost (prebuild): ${s}\n`);

/** `testhost build` at nice 10; its output goes to stderr line by line, with a prefix. */
function build(cli: string, engineHost: string): Promise<void> {
  const child = spawn("nice", ["-n", "10", process.execPath, cli, "build"], {
    cwd: ROOT,
    env: { ...process.env, DOCKER_HOST: engineHost },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on("line", (line) => line.trim() && log(line.trim()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`testhost build: exit ${code}`)),
    );
  });
}

/** Whether the compiled test-host tooling is older than its sources (then it would build under
 *  the new sources' image key what the old code makes). */
function stale(cli: string): boolean {
  const built = statSync(cli).mtimeMs;
  const src = join(TESTHOST_DIR, "src");
  return readdirSync(src).some((f) => statSync(join(src, f)).mtimeMs > built);
}

export async function setup(project: TestProject): Promise<void> {
  setupRun();
  if (PREBUILD.promise || process.env.PROVISION_TESTHOST_PREBUILD === "0") return;
  const cli = join(ROOT, "dist/testhost/testhost.js");
  if (!existsSync(cli) || stale(cli)) return;
  const files = project.vitest.state.getPaths().filter((f) => project.matchesTestGlob(f));
  if (files.length === 0) return;
  // The engine is started here, by the run (its teardown stops it), at normal priority: the
  // test hosts run in it.
  const engine = await ensureEngine(log).catch((err: Error) => {
    log(`no engine (${err.message}); the host files will report it`);
    return undefined;
  });
  if (!engine) return;
  PREBUILD.promise = (async () => {
    const t0 = Date.now();
    await build(cli, engine.host).catch((err: Error) =>
      log(`${err.message}; the host files build it and report the error`),
    );
    log(`done after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  })();
}
