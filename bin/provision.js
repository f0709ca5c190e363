#!/usr/bin/env node
// Thin launcher: the CLI is compiled ahead of time into dist/ (npm run build).
import { main } from "../dist/bundle/main.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
