// The build parses recipes/ and precompiles templates/ (scripts/build-compiled.mjs) so that a
// plan does neither at run time. These tests fail when the build output is stale or differs
// from what loading the sources at run time gives.
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadRecipe, RECIPES_DIR } from "../../src/recipes/load.js";
import { buildContext } from "../../src/render/context.js";
import { compileAtRunTime, renderString, runtimeCompiled } from "../../src/render/engine.js";
import { renderFiles } from "../../src/render/files.js";
import {
  parsedRecipes,
  recipesModule,
  templatesModule,
  templateTexts,
} from "../../src/render/precompile.js";
import { ROOT } from "../helpers/cli.js";
import { fixedSecrets, hostsFrom } from "../helpers/render.js";

const yamlParses = vi.hoisted(() => ({ count: 0 }));
vi.mock("yaml", async (original) => {
  const yaml = await original<typeof import("yaml")>();
  return {
    ...yaml,
    parseDocument: (...args: Parameters<typeof yaml.parseDocument>) => {
      yamlParses.count++;
      return yaml.parseDocument(...args);
    },
  };
});

const [host] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
if (!host) throw new Error("no host");

describe("build-time compiled recipes and templates", () => {
  it("are current: the generated modules are what the sources give now (npm run build)", () => {
    const recipes = parsedRecipes();
    const built = (rel: string) => readFileSync(join(ROOT, rel), "utf8");
    expect(built("src/recipes/generated/recipes.js")).toBe(recipesModule(recipes));
    expect(built("src/render/generated/templates.js")).toBe(templatesModule(recipes));
  });

  it("load every shipped recipe as parsing its YAML at run time does", () => {
    const copy = mkdtempSync(join(tmpdir(), "provision-recipes-"));
    cpSync(RECIPES_DIR, copy, { recursive: true });
    const fromSource = (name: string) =>
      JSON.parse(JSON.stringify(loadRecipe(name, [], copy)).replaceAll(copy, "recipes"));
    for (const name of Object.keys(parsedRecipes())) {
      const before = yamlParses.count;
      const built = loadRecipe(name);
      expect(yamlParses.count, `${name} parsed at run time`).toBe(before);
      expect(built).toEqual(fromSource(name));
      expect(yamlParses.count).toBeGreaterThan(before);
    }
  });

  it("render every template and recipe placeholder as compiling at run time does", () => {
    const ctx = buildContext(host, fixedSecrets());
    for (const text of templateTexts()) {
      let expected: string | Error;
      try {
        expected = compileAtRunTime(text)(ctx);
      } catch (err) {
        expected = err as Error;
      }
      if (expected instanceof Error) expect(() => renderString(text, ctx)).toThrow();
      else expect(renderString(text, ctx)).toBe(expected);
    }
  });

  it("leave nothing to parse or compile when planning the example inventory", () => {
    const before = yamlParses.count;
    expect(renderFiles(host, fixedSecrets()).length).toBeGreaterThan(10);
    expect(yamlParses.count).toBe(before);
    expect(runtimeCompiled()).toEqual([]);
  });

  it("compile at run time a template text the build did not see", () => {
    expect(renderString("edited {{server_name}}", { server_name: "a" }, "edited")).toBe("edited a");
    expect(runtimeCompiled()).toContain("edited");
  });
});
