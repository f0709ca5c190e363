import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";
import { COMMON_PROPS, checkValue, type PropsSpec } from "../resources/descriptor.js";
import { RESOURCE_REGISTRY, resourceType } from "../resources/registry.js";
import COMPILED_RECIPES from "./generated/recipes.js";

/** recipes/ at the package root (two levels above both src/recipes and dist/bundle). */
export const RECIPES_DIR = join(import.meta.dirname, "../../recipes");

/** One resource as written in a recipe: its type is the key that names it (file: PATH, pkg: NAME, ...). */
export interface RecipeResource {
  type: string;
  /** The value of the type key: a name, or a list (pkg) or mapping (sysrc). */
  name: unknown;
  recipe: string;
  /** The remaining keys, as written (checked against the type's descriptor). */
  props: Record<string, unknown>;
  /** Where it is written: recipes/NAME.yaml:LINE:COL. */
  source: string;
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

const RECIPE_KEYS = ["description", "include", "resources", "handlers"];
const HANDLER_KEYS = ["service", "action", "command"];

/** Recipes ship with the tool: a bad one is a bug, reported with its file and line. */
class RecipeFile {
  readonly file: string;
  private readonly lines = new LineCounter();
  readonly root: unknown;

  constructor(
    readonly name: string,
    dir: string,
    text: string,
  ) {
    this.file = `${dir === RECIPES_DIR ? "recipes" : dir}/${name}.yaml`;
    const doc = parseDocument(text, { lineCounter: this.lines });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      throw new Error(`${this.file}:${e?.linePos?.[0]?.line ?? 1}: ${e?.message}`);
    }
    this.root = doc.contents ?? null;
  }

  at(node: unknown): string {
    const offset = (node as Node | undefined)?.range?.[0];
    if (offset === undefined) return this.file;
    const pos = this.lines.linePos(offset);
    return `${this.file}:${pos.line}:${pos.col}`;
  }

  fail(node: unknown, message: string): never {
    throw new Error(`${this.at(node)}: ${message}`);
  }

  /** A mapping node's entries: key text, key node, value node. */
  entries(map: YAMLMap): { key: string; keyNode: unknown; value: unknown }[] {
    return map.items.map((pair) => ({
      key: isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
      keyNode: pair.key,
      value: pair.value,
    }));
  }
}

const plain = (node: unknown): unknown =>
  node && typeof node === "object" && "toJSON" in node
    ? (node as { toJSON(): unknown }).toJSON()
    : node;

function checkProps(f: RecipeFile, map: YAMLMap, spec: PropsSpec, what: string): void {
  for (const { key, keyNode, value } of f.entries(map)) {
    const p = spec[key];
    if (!p)
      f.fail(keyNode, `unknown key '${key}' in ${what} (allowed: ${Object.keys(spec).join(", ")})`);
    const why = checkValue(p.kind, plain(value));
    if (why) f.fail(value ?? keyNode, `${what}: ${key}: ${why}`);
  }
  for (const [key, p] of Object.entries(spec)) {
    if (p.required && !map.has(key)) f.fail(map, `${what} needs '${key}'`);
  }
}

function readResource(f: RecipeFile, node: unknown, index: number): RecipeResource {
  if (!isMap(node)) f.fail(node, `resource ${index + 1} is not a mapping`);
  // The type key is the one naming a type whose props hold the other type-named keys (a file's
  // `group:` is its group, not a group resource).
  const named = f.entries(node).filter((e) => resourceType(e.key));
  const types = named.filter((e) =>
    named.every((o) => o === e || o.key in (resourceType(e.key)?.props ?? {})),
  );
  if (types.length !== 1) {
    f.fail(
      node,
      named.length === 0
        ? `resource ${index + 1} has no known type (${RESOURCE_REGISTRY.map((t) => t.type).join(", ")})`
        : `resource ${index + 1} has several types (${named.map((t) => t.key).join(", ")})`,
    );
  }
  const [{ key: type, value }] = types as [(typeof types)[number]];
  const t = resourceType(type);
  if (!t) f.fail(node, `unknown resource type ${type}`);
  const name = plain(value);
  if (name === undefined || name === null) f.fail(node, `${type} needs a name`);
  const why = checkValue(t.name, name);
  if (why) f.fail(value, `${type}: ${why}`);
  const spec: PropsSpec = { [type]: { kind: t.name, required: true }, ...t.props, ...COMMON_PROPS };
  checkProps(f, node, spec, `a ${type} resource`);
  const props = plain(node) as Record<string, unknown>;
  delete props[type];
  return { type, name, recipe: f.name, props, source: f.at(node) };
}

function readHandlers(f: RecipeFile, node: unknown): Handler[] {
  if (node === undefined || node === null) return [];
  if (!isMap(node)) f.fail(node, "handlers: expected a mapping of names to handlers");
  return f.entries(node).map(({ key, value }) => {
    if (!isMap(value)) f.fail(value, `handler '${key}': expected a mapping`);
    const spec = Object.fromEntries(
      HANDLER_KEYS.map((k) => [k, { kind: "text", required: false }]),
    );
    checkProps(f, value, spec as PropsSpec, `handler '${key}'`);
    const h = plain(value) as { service?: string; action?: string; command?: string };
    if (!h.command && !(h.service && h.action))
      f.fail(value, `handler '${key}' needs service and action, or command`);
    return { name: key, recipe: f.name, ...h };
  });
}

/** What one recipe file says, checked: the recipe's own part before its includes are resolved. */
export interface RecipeFileData {
  description: string;
  include: string[];
  resources: RecipeResource[];
  handlers: Handler[];
}

/** Parses and checks one recipe file (YAML); errors name the file, line and column. */
export function parseRecipeFile(name: string, text: string, dir = RECIPES_DIR): RecipeFileData {
  const f: RecipeFile = new RecipeFile(name, dir, text);
  const root =
    f.root === null ? null : isMap(f.root) ? f.root : f.fail(f.root, "a recipe is a mapping");
  const get = (key: string): unknown => (root ? root.get(key, true) : undefined);
  if (root) {
    for (const { key, keyNode } of f.entries(root)) {
      if (!RECIPE_KEYS.includes(key))
        f.fail(keyNode, `unknown key '${key}' (allowed: ${RECIPE_KEYS.join(", ")})`);
    }
  }
  const description = String(plain(get("description")) ?? "");
  const include = plain(get("include")) ?? [];
  if (!Array.isArray(include)) f.fail(get("include"), "include: expected a list of recipe names");
  const list = get("resources");
  if (plain(list) != null && !isSeq(list)) f.fail(list, "resources: expected a list");
  const resources = (isSeq(list) ? list.items : []).map((node, i) => readResource(f, node, i));
  const handlers = readHandlers(f, get("handlers"));
  for (const r of resources) {
    for (const n of (r.props.notify as string[] | undefined) ?? []) {
      if (!handlers.some((h) => h.name === n))
        throw new Error(`${r.source}: ${r.type} notifies unknown handler '${n}'`);
    }
  }
  return { description, include: include.map(String), resources, handlers };
}

/**
 * One recipe file's data: the build's pre-parsed copy (scripts/build-compiled.mjs) when the
 * shipped file still has the text it was parsed from, else parsed now (an edited or other file).
 */
function readRecipeFile(name: string, dir: string): RecipeFileData {
  const text = readFileSync(join(dir, `${name}.yaml`), "utf8");
  const built = dir === RECIPES_DIR ? COMPILED_RECIPES[name] : undefined;
  if (built && built.text === text) return structuredClone(built.data);
  return parseRecipeFile(name, text, dir);
}

/** Loads a recipe and its includes, in order. Recipes ship with the tool: errors are bugs. */
export function loadRecipe(name: string, seen: string[] = [], dir = RECIPES_DIR): Recipe {
  if (seen.includes(name))
    throw new Error(`recipe ${name}: include cycle ${[...seen, name].join(" -> ")}`);
  const { description, include, resources, handlers } = readRecipeFile(name, dir);
  const parts: RecipePartData[] = [];
  for (const inc of include) parts.push(...loadRecipe(inc, [...seen, name], dir).parts);
  if (resources.length > 0 || handlers.length > 0) {
    parts.push({ name, description, resources, handlers });
  }
  return { name, description, parts, resources: parts.flatMap((p) => p.resources) };
}
