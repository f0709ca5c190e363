// Parses recipes/ and precompiles the Handlebars templates at build time (src/render/precompile.ts),
// so a plan neither parses recipe YAML nor compiles templates at run time. The generator is
// TypeScript: esbuild bundles it to a temporary module first.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const write = (rel, text) => {
  mkdirSync(join(root, rel, ".."), { recursive: true });
  writeFileSync(join(root, rel), text);
};
// The generator imports the modules it generates for: empty ones first, on a clean checkout.
for (const rel of ["src/recipes/generated/recipes.js", "src/render/generated/templates.js"]) {
  try {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), "export default {};\n", { flag: "wx" });
  } catch {}
}
// Two levels below the package root, as src/render is: the generator finds recipes/ and templates/.
const tmp = join(root, "dist/.build");
try {
  const out = join(tmp, "precompile.mjs");
  await build({
    entryPoints: [join(root, "src/render/precompile.ts")],
    outfile: out,
    bundle: true,
    format: "esm",
    platform: "node",
    packages: "external",
    logLevel: "warning",
  });
  const gen = await import(pathToFileURL(out).href);
  const recipes = gen.parsedRecipes();
  write("src/recipes/generated/recipes.js", gen.recipesModule(recipes));
  write("src/render/generated/templates.js", gen.templatesModule(recipes));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
