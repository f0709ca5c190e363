import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** recipes/ at the package root (two levels above both src/recipes and dist/bundle). */
export const RECIPES_DIR = join(import.meta.dirname, "../../recipes");

/** One resource as written in a recipe: its type is the key that names it (file: PATH, pkg: NAME, ...). */
export interface RecipeResource {
  type: string;
  /** The value of the type key: a name, or a list (pkg) or mapping (sysrc). */
  name: unknown;
  recipe: string;
  /** The remaining keys, as written. */
  props: Record<string, unknown>;
}

/** A handler runs once at the end of its recipe when a change notified it. */
export interface Handler {
  name: string;
  recipe: string;
  /** service NAME ACTION (restart, reload, graceful, ...), or a command. */
  service?: string;
  action?: string;
  command?: string;
}

export interface RecipePartData {
  name: string;
  description: string;
  resources: RecipeResource[];
  handlers: Handler[];
}

export interface Recipe {
  name: string;
  description: string;
  /** Recipes in order: the included ones, then this one. */
  parts: RecipePartData[];
  resources: RecipeResource[];
}

export const RESOURCE_TYPES = [
  "file",
  "directory",
  "pkg",
  "sysrc",
  "service",
  "user",
  "group",
  "virtualenv",
  "pip",
  "pg_role",
  "pg_database",
  "dhparam",
  "certificate",
  "command",
] as const;

interface RawRecipe {
  description?: string;
  include?: string[];
  resources?: unknown[];
  handlers?: Record<string, { service?: string; action?: string; command?: string }>;
}

function readRecipe(name: string): RawRecipe {
  const text = readFileSync(join(RECIPES_DIR, `${name}.yaml`), "utf8");
  return parse(text) ?? {};
}

/** Loads a recipe and its includes, in order. Recipes ship with the tool: errors are bugs. */
export function loadRecipe(name: string, seen: string[] = []): Recipe {
  if (seen.includes(name))
    throw new Error(`recipe ${name}: include cycle ${[...seen, name].join(" -> ")}`);
  const raw = readRecipe(name);
  const parts: RecipePartData[] = [];
  for (const inc of raw.include ?? []) parts.push(...loadRecipe(inc, [...seen, name]).parts);
  const own: RecipeResource[] = [];
  for (const [i, entry] of (raw.resources ?? []).entries()) {
    if (!entry || typeof entry !== "object")
      throw new Error(`recipe ${name}: resource ${i + 1} is not a mapping`);
    const props = { ...(entry as Record<string, unknown>) };
    const type = RESOURCE_TYPES.find((t) => t in props);
    if (!type)
      throw new Error(
        `recipe ${name}: resource ${i + 1} has no known type (${RESOURCE_TYPES.join(", ")})`,
      );
    const value = props[type];
    if (value === undefined || value === null)
      throw new Error(`recipe ${name}: resource ${i + 1}: ${type} needs a name`);
    delete props[type];
    own.push({ type, name: value, recipe: name, props });
  }
  const handlers: Handler[] = Object.entries(raw.handlers ?? {}).map(([h, spec]) => {
    if (!spec.command && !(spec.service && spec.action))
      throw new Error(`recipe ${name}: handler '${h}' needs service and action, or command`);
    return { name: h, recipe: name, ...spec };
  });
  for (const r of own) {
    for (const n of (r.props.notify as string[] | undefined) ?? []) {
      if (!handlers.some((h) => h.name === n))
        throw new Error(`recipe ${name}: ${r.type} notifies unknown handler '${n}'`);
    }
  }
  if (own.length > 0 || handlers.length > 0) {
    parts.push({ name, description: raw.description ?? "", resources: own, handlers });
  }
  return {
    name,
    description: raw.description ?? "",
    parts,
    resources: parts.flatMap((p) => p.resources),
  };
}
