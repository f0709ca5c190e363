// Golden files: the example inventory, with fixed test secrets, renders exactly these files.
// After an intended template change: UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { hostsFrom, renderMap } from "../helpers/render.js";

const GOLDEN = join(ROOT, "test/fixtures/golden/example");

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

describe("golden files for inventory.example.yaml", () => {
  const [host] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
  if (!host) throw new Error("no host");
  const files = [...renderMap(host).values()];
  const manifest = `${files.map((f) => `${f.path}\t${f.owner}:${f.group}\t${f.mode}`).join("\n")}\n`;

  if (process.env.UPDATE_GOLDEN) {
    rmSync(GOLDEN, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(dirname(join(GOLDEN, f.path)), { recursive: true });
      writeFileSync(join(GOLDEN, f.path), f.content);
    }
    writeFileSync(join(GOLDEN, "MANIFEST"), manifest);
  }

  it("renders the same set of files with the same owners and modes", () => {
    expect(manifest).toBe(readFileSync(join(GOLDEN, "MANIFEST"), "utf8"));
    const golden = listFiles(GOLDEN)
      .map((p) => `/${relative(GOLDEN, p)}`)
      .filter((p) => p !== "/MANIFEST");
    expect(golden.sort()).toEqual(files.map((f) => f.path).sort());
  });

  for (const f of files) {
    it(`${f.path} matches its golden copy`, () => {
      expect(f.content).toBe(readFileSync(join(GOLDEN, f.path), "utf8"));
    });
  }
});
