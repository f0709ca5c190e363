// The layering of src/ (docs/architecture.md, Layout): `npm run lint` fails on any import that
// points the wrong way, so the rules hold without anyone having to remember them.
const BOTTOM = "^src/(errors|diagnostics)\\.ts$|^src/util/";
const TOP = "^src/(cli|commands)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "bottom-imports-nothing-above",
      comment:
        "errors.ts, diagnostics.ts and util/ are the bottom layer: they import only each other.",
      severity: "error",
      from: { path: BOTTOM },
      to: { path: "^src/", pathNot: BOTTOM },
    },
    {
      name: "views-below-commands",
      comment: "Views render data; they never reach into a command or the CLI.",
      severity: "error",
      from: { path: "^src/views/" },
      to: { path: TOP },
    },
    {
      name: "only-the-cli-imports-the-cli",
      comment: "Nothing below the CLI imports cli/ or commands/: errors and output live below it.",
      severity: "error",
      from: { path: "^src/", pathNot: TOP },
      to: { path: TOP },
    },
    {
      name: "no-cycles",
      comment: "Modules form a tree of layers, not a loop.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
