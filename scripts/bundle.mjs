// Bundles the CLI into dist/bundle: one file for the start-up path plus lazily loaded chunks
// per command, so a cold `provision validate` resolves a handful of files, not hundreds.
import { build } from "esbuild";

await build({
  entryPoints: {
    main: "src/cli/main.ts",
    testhost: "testhost/src/cli.ts",
    "testhost-lib": "testhost/src/index.ts",
  },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: "dist/bundle",
  sourcemap: true,
  logLevel: "warning",
  // Native or optional modules stay in node_modules.
  external: ["ssh2", "cpu-features", "testcontainers"],
  // CommonJS dependencies (commander) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
