import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** recipes/ at the package root (two levels above both src/recipes and dist/bundle). */
export const RECIPES_DIR = join(import.meta.dirname, "../../recipes");

/** One resource as written in a recipe: its type is the key that names it (file: PATH, pkg: NAME, ...). */
export interface RecipeResource {
  type: string;
  name: string;
  recipe: string;
  /** The remaining keys, as written. */
  props: Record<string, unknown>;
}

export interface Recipe {
  name: string;
  description: string;
  resources: RecipeResource[];
}

export const RESOURCE_TYPES = ["file"] as const;

function readRecipe(name: string): {
  description?: string;
  include?: string[];
  resources?: unknown[];
} {
  const text = readFileSync(join(RECIPES_DIR, `${name}.yaml`), "utf8");
  return parse(text) ?? {};
}

/** Loads a recipe and its includes, flattened in order. Recipes ship with the tool: errors are bugs. */
export function loadRecipe(name: string, seen: string[] = []): Recipe {
  if (seen.includes(name))
    throw new Error(`recipe ${name}: include cycle ${[...seen, name].join(" -> ")}`);
  const raw = readRecipe(name);
  const resources: RecipeResource[] = [];
  for (const inc of raw.include ?? [])
    resources.push(...loadRecipe(inc, [...seen, name]).resources);
  for (const [i, entry] of (raw.resources ?? []).entries()) {
    if (!entry || typeof entry !== "object")
      throw new Error(`recipe ${name}: resource ${i + 1} is not a mapping`);
    const props = { ...(entry as Record<string, unknown>) };
    const type = RESOURCE_TYPES.find((t) => t in props);
    if (!type)
      throw new Error(
        `recipe ${name}: resource ${i + 1} has no known type (${RESOURCE_TYPES.join(", ")})`,
      );
    const resourceName = props[type];
    if (typeof resourceName !== "string")
      throw new Error(`recipe ${name}: resource ${i + 1}: ${type} needs a name`);
    delete props[type];
    resources.push({ type, name: resourceName, recipe: name, props });
  }
  return { name, description: raw.description ?? "", resources };
}
