// Once per test run: a run id for the test hosts it starts; at the end, their containers are
// removed and a Docker engine the run started is stopped (no Ryuk: we clean up ourselves).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { stopOwnEngine } from "../../testhost/src/engine.js";
import { removeRunContainers } from "../../testhost/src/hosts.js";
import { CACHE_DIR } from "../../testhost/src/paths.js";

export function setup(): void {
  process.env.PROVISION_TEST_RUN = `run-${Date.now().toString(36)}-${process.pid}`;
}

export async function teardown(): Promise<void> {
  const run = process.env.PROVISION_TEST_RUN as string;
  if (!existsSync(join(CACHE_DIR, "dockerd.pid")) && !process.env.DOCKER_HOST) return;
  try {
    await removeRunContainers(run);
  } catch {
    // No engine reachable: nothing of ours can be running.
  }
  await stopOwnEngine(run);
}
