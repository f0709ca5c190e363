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

export async function teardown(): Promise<void> {
  const run = process.env.PROVISION_TEST_RUN as string;
  await removeRunContainers(run);
  await stopOwnEngine(run);
}
