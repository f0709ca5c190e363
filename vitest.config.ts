import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/** Files that start test hosts (containers): one at a time, the cores are theirs. */
const HOSTS = ["test/e2e/**/*.test.ts", "test/testhost/emulators.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Each file gets its own process: end-to-end suites start servers and must not share state.
    pool: "forks",
    globalSetup: ["test/setup/global.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: HOSTS,
          // At least two at a time, even on two cores: most of these wait on the processes they
          // start (one CPU-bound child each), so one file alone leaves a core idle.
          maxWorkers: Math.max(2, availableParallelism()),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "hosts",
          include: HOSTS,
          // Builds the test-host images while the unit files run (test/setup/images.ts).
          globalSetup: ["test/setup/images.ts"],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
