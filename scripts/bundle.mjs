// Bundles the CLI into dist/bundle: one file for the start-up path plus lazily loaded chunks
// per command, so a cold `provision validate` resolves a handful of files, not hundreds. The
// test-host tooling goes to dist/testhost, apart, so the published package holds only the CLI.
import { build } from "esbuild";

const common = {
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  // CommonJS dependencies (commander) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
};

// Native or optional modules stay in node_modules: they are the package's runtime dependencies.
await build({
  ...common,
  entryPoints: { main: "src/cli/main.ts" },
  outdir: "dist/bundle",
  external: ["ssh2", "cpu-features"],
});
await build({
  ...common,
  entryPoints: { testhost: "testhost/src/cli.ts", "testhost-lib": "testhost/src/index.ts" },
  outdir: "dist/testhost",
  external: ["ssh2", "cpu-features", "testcontainers"],
});
