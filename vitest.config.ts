import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Each file gets its own process: end-to-end suites start servers and must not share state.
    pool: "forks",
    globalSetup: ["test/setup/global.ts"],
  },
});
