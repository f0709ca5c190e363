// Once per test run: a run id for the test hosts it starts; at the end, their containers are
// removed and a Docker engine the run started is stopped (no Ryuk: we clean up ourselves).
import { stopOwnEngine } from "../../testhost/src/engine.js";
import { removeRunContainers } from "../../testhost/src/hosts.js";

export function setup(): void {
  // Once for the whole run, though vitest runs this setup for the root and each project of
  // vitest.config.ts; never one inherited from the environment (another run's containers).
  if (process.env.PROVISION_TEST_RUN_PID === String(process.pid)) return;
  process.env.PROVISION_TEST_RUN = `run-${Date.now().toString(36)}-${process.pid}`;
  process.env.PROVISION_TEST_RUN_PID = String(process.pid);
}

/** The test-host images building in the background (images.ts), if they are. One object for
 *  every copy of this module vitest loads (one per project). */
const PREBUILD_KEY = Symbol.for("provision.test.prebuild");
const shared = globalThis as { [PREBUILD_KEY]?: { promise?: Promise<void> } };
shared[PREBUILD_KEY] ??= {};
export const PREBUILD = shared[PREBUILD_KEY];

/** How long the teardown waits for a build still running before it stops the engine anyway. */
const PREBUILD_WAIT_MS = 20 * 60_000;

export async function teardown(): Promise<void> {
  const run = process.env.PROVISION_TEST_RUN as string;
  // A build the run's files did not wait for (they ended first) is finished, not cut off by
  // stopping the engine under it: the next run finds its image.
  if (PREBUILD.promise) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      PREBUILD.promise,
      new Promise((done) => {
        timer = setTimeout(done, PREBUILD_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
  await removeRunContainers(run);
  await stopOwnEngine(run);
}
