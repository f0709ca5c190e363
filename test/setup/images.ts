// For a run that includes test-host files: the test-host images are built (where not cached)
// while the unit files run, not after them. With an empty cache that build (two Debian suites by
// debootstrap, then docker build) takes minutes; overlapped, it costs the run less. It runs at
// a lower priority so the unit files keep their pace. The host files wait for it through the
// image locks (one per profile, testhost/src/image.ts) and build whatever it did not, reporting
// any error.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureEngine } from "../../testhost/src/engine.js";
import { ROOT } from "../helpers/cli.js";
import { setup as setupRun } from "./global.js";

const log = (s: string) => process.stderr.write(`testhost (prebuild): ${s}\n`);
let building: Promise<void> | undefined;

/** One `testhost build` at nice 10; its output goes to stderr with a prefix. */
function build(cli: string, args: string[], engineHost: string): Promise<void> {
  const child = spawn("nice", ["-n", "10", process.execPath, cli, "build", ...args], {
    cwd: ROOT,
    env: { ...process.env, DOCKER_HOST: engineHost },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const relay = (d: Buffer) => {
    for (const line of d.toString("utf8").split("\n")) if (line.trim()) log(line.trim());
  };
  child.stdout.on("data", relay);
  child.stderr.on("data", relay);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`testhost build ${args.join(" ")}: exit ${code}`)),
    );
  });
}

export async function setup(): Promise<void> {
  setupRun();
  if (building || process.env.PROVISION_TESTHOST_PREBUILD === "0") return;
  const cli = join(ROOT, "dist/testhost/testhost.js");
  if (!existsSync(cli)) return;
  // The engine is started here, by the run (its teardown stops it), at normal priority: the
  // test hosts run in it.
  const engine = await ensureEngine(log).catch((err: Error) => {
    log(`no engine (${err.message}); the host files will report it`);
    return undefined;
  });
  if (!engine) return;
  // A real FreeBSD target needs only the stand-in image (the emulator tests).
  const profiles = process.env.PROVISION_E2E_TARGET ? [[]] : [[], ["--synapse", "real"]];
  building = (async () => {
    const t0 = Date.now();
    // Side by side: much of each build is downloading (debootstrap, apt-get).
    await Promise.all(profiles.map((args) => build(cli, args, engine.host)));
    log(`images ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  })().catch((err: Error) => {
    log(`${err.message}; the host files build what is missing and report any error`);
  });
}

export async function teardown(): Promise<void> {
  await building;
}
