// The published package carries only what `provision` needs at run time: its runtime
// dependencies are exactly the modules the bundle loads from node_modules.
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  files: string[];
  bin: Record<string, string>;
};

describe("the published package", () => {
  it("depends at run time on exactly the modules the bundled CLI imports", () => {
    const dir = join(ROOT, "dist/bundle");
    const imported = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".js"))) {
      const text = readFileSync(join(dir, f), "utf8");
      // Static imports at the start of a line, and dynamic import() of a bare name.
      for (const m of text.matchAll(/(?:^import[^;\n]*?from\s*|\bimport\()"([^"./][^"]*)"/gm)) {
        const name = m[1] as string;
        if (name.startsWith("node:") || builtinModules.includes(name)) continue;
        imported.add(
          name.startsWith("@")
            ? name.split("/").slice(0, 2).join("/")
            : (name.split("/")[0] as string),
        );
      }
    }
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it("ships the CLI, its recipes, templates, schema and example, not tests or test-host tooling", () => {
    expect(pkg.files.sort()).toEqual(
      ["bin", "dist/bundle", "inventory.example.yaml", "recipes", "schema", "templates"].sort(),
    );
    expect(pkg.bin.provision).toBe("bin/provision.js");
    const launcher = readFileSync(join(ROOT, "bin/provision.js"), "utf8");
    expect(launcher).toContain("../dist/bundle/main.js");
  });
});
