// The layering rules (.dependency-cruiser.cjs, run by `npm run lint`) really fail the build on
// an import that points the wrong way: each case is a small tree with one such import.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

/** A layered tree in which every module imports nothing, except what `imports` adds. */
const CLEAN: Record<string, string[]> = {
  "src/errors.ts": ["./diagnostics.js"],
  "src/diagnostics.ts": [],
  "src/util/text.ts": ["../errors.js"],
  "src/plan/session.ts": ["../errors.js"],
  "src/views/plan.ts": ["../plan/session.js"],
  "src/cli/main.ts": ["../commands/plan/run.js", "../views/plan.js"],
  "src/commands/plan/run.ts": ["../../cli/context.js", "../../plan/session.js"],
  "src/cli/context.ts": [],
};

function cruise(extra: Record<string, string[]>): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "provision-layers-"));
  copyFileSync(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
  const tree = { ...CLEAN };
  for (const [file, imports] of Object.entries(extra))
    tree[file] = [...(tree[file] ?? []), ...imports];
  for (const [file, imports] of Object.entries(tree)) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    const lines = imports.map((m, i) => `import * as m${i} from "${m}";\nvoid m${i};`);
    writeFileSync(join(dir, file), `${lines.join("\n")}\nexport const x = 1;\n`);
  }
  const r = spawnSync(join(ROOT, "node_modules/.bin/depcruise"), ["--config", CONFIG, "src"], {
    cwd: dir,
    encoding: "utf8",
  });
  return { code: r.status ?? -1, output: r.stdout + r.stderr };
}

describe("the layering check", () => {
  it("passes a tree whose imports all point down", () => {
    const r = cruise({});
    expect(r.output).toContain("no dependency violations found");
    expect(r.code).toBe(0);
  });

  it.each([
    ["bottom-imports-nothing-above", { "src/diagnostics.ts": ["./plan/session.js"] }],
    ["bottom-imports-nothing-above", { "src/util/text.ts": ["../views/plan.js"] }],
    ["views-below-commands", { "src/views/plan.ts": ["../commands/plan/run.js"] }],
    ["only-the-cli-imports-the-cli", { "src/plan/session.ts": ["../cli/context.js"] }],
    ["no-cycles", { "src/plan/session.ts": ["../views/plan.js"] }],
  ])("fails on an import against %s", (rule, extra) => {
    const r = cruise(extra);
    expect(r.output).toContain(`error ${rule}:`);
    expect(r.code).not.toBe(0);
  });

  it("passes the project's own src/", () => {
    const r = spawnSync(join(ROOT, "node_modules/.bin/depcruise"), ["--config", CONFIG, "src"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.stdout).toContain("no dependency violations found");
    expect(r.status).toBe(0);
  });
});
