import type { ErrorObject } from "ajv";
import type { Diagnostic } from "../diagnostics.js";
import { didYouMean } from "../util/suggest.js";
import { deref, type JsonSchema, validateDocument } from "./schema.js";
import type { Source } from "./source.js";

export interface StructureResult {
  diagnostics: Diagnostic[];
  /**
   * The data with every invalid value removed (unknown keys, wrong types, out-of-range values),
   * so the semantic checks can still run on the rest and report everything in one go.
   * Undefined when the document is too broken for that (no `all:` mapping).
   */
  pruned?: Record<string, unknown>;
}

/** Checks the document's shape against the published schema; one diagnostic per real problem. */
export function checkStructure(source: Source, data: unknown): StructureResult {
  const errors = validateDocument(data).filter(
    // A host or group may be empty: the "or null" alternative adds nothing worth saying.
    (e) =>
      e.keyword !== "anyOf" &&
      e.keyword !== "propertyNames" &&
      !/\/anyOf\/1\/type$/.test(e.schemaPath),
  );
  const diagnostics = errors.map((e) => toDiagnostic(source, data, e));
  const root = data as { all?: unknown } | null;
  if (
    !root ||
    typeof root !== "object" ||
    Array.isArray(root) ||
    !root.all ||
    typeof root.all !== "object"
  ) {
    return { diagnostics };
  }
  const pruned = structuredClone(root) as Record<string, unknown>;
  for (const e of errors) {
    const path = pathOf(e.instancePath);
    if (e.keyword === "additionalProperties") {
      path.push(String((e.params as { additionalProperty: string }).additionalProperty));
    } else if (e.propertyName !== undefined) {
      path.push(e.propertyName);
    }
    removeAt(pruned, path);
  }
  return { diagnostics, pruned };
}

/** Deletes the value at a path; inside a list the whole list goes (lists are replaced whole anyway). */
function removeAt(data: Record<string, unknown>, path: string[]): void {
  let parent: unknown = data;
  for (let i = 0; i < path.length - 1; i++) {
    const next = (parent as Record<string, unknown>)[path[i] as string];
    if (Array.isArray(next)) {
      delete (parent as Record<string, unknown>)[path[i] as string];
      return;
    }
    if (!next || typeof next !== "object") return;
    parent = next;
  }
  const last = path[path.length - 1];
  if (last !== undefined && parent && typeof parent === "object")
    delete (parent as Record<string, unknown>)[last];
}

function pathOf(instancePath: string): string[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function dotted(path: readonly (string | number)[]): string {
  return path.join(".");
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return "an empty value";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the text ${JSON.stringify(v)}`;
  if (typeof v === "number") return Number.isInteger(v) ? `the number ${v}` : `the number ${v}`;
  if (typeof v === "boolean") return `${v}`;
  return typeof v;
}

function describeType(t: unknown): string {
  const one = (x: string) =>
    ({
      string: "text",
      integer: "a whole number",
      number: "a number",
      boolean: "true or false",
      object: "a mapping",
      array: "a list",
      null: "empty",
    })[x] ?? x;
  return Array.isArray(t) ? t.map((x) => one(String(x))).join(" or ") : one(String(t));
}

/**
 * The usual cause of a type error is quoting: "17" where a number is meant, 1.157 where a
 * version text is meant (YAML reads it as a number). Say how to write it instead.
 */
function quotingHint(
  source: Source,
  path: readonly string[],
  v: unknown,
  schema: JsonSchema,
): string | undefined {
  const want = schema.type;
  if ((want === "integer" || want === "number") && typeof v === "string") {
    const n = Number(v.trim());
    if (v.trim() !== "" && Number.isFinite(n) && (want === "number" || Number.isInteger(n)))
      return `write it without quotes: ${v.trim()}`;
    return undefined;
  }
  if (want === "boolean" && (v === "true" || v === "false")) return `write it without quotes: ${v}`;
  if (want === "string" && (typeof v === "number" || typeof v === "boolean")) {
    const range = source.nodeAt(path)?.range;
    let text = range ? source.text.slice(range[0], range[1]).trim() : String(v);
    if (schema.pattern) {
      const re = new RegExp(schema.pattern);
      // A version written as 1.157 means the release 1.157.0.
      if (!re.test(text) && re.test(`${text}.0`)) text = `${text}.0`;
    }
    return `write it in quotes: "${text}"`;
  }
  return undefined;
}

function keyName(path: readonly string[]): string {
  return path.length === 0 ? "the inventory" : `'${path[path.length - 1]}'`;
}

function toDiagnostic(source: Source, data: unknown, e: ErrorObject): Diagnostic {
  const path = pathOf(e.instancePath);
  const parent = (e.parentSchema ?? {}) as JsonSchema;
  const diag = (summary: string, range = source.rangeAt(path), detail?: string): Diagnostic => {
    const d: Diagnostic = { severity: "error", summary, path: dotted(path), range };
    if (detail) d.detail = detail;
    return d;
  };
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(deref(parent).properties ?? {});
      const hint = didYouMean(key, known);
      const where = path.length === 0 ? "at the top level" : `in ${dotted(path)}`;
      const summary = hint
        ? `unknown key '${key}' ${where}; did you mean '${hint}'?`
        : `unknown key '${key}' ${where}; expected one of: ${known.join(", ")}`;
      return {
        ...diag(summary, source.rangeAt([...path, key], true)),
        path: dotted([...path, key]),
      };
    }
    case "type": {
      const v = valueAt(data, path);
      const parentKey = path[path.length - 2];
      if (parent.type === "object" && (parentKey === "hosts" || parentKey === "children")) {
        return diag(`${keyName(path)} must be a mapping or empty, got ${describeValue(v)}`);
      }
      const fix = quotingHint(source, path, v, parent);
      return diag(
        `${keyName(path)} must be ${describeType(parent.type ?? e.params.type)}, got ${describeValue(v)}${fix ? `; ${fix}` : ""}`,
      );
    }
    case "enum": {
      const v = valueAt(data, path);
      const allowed = (parent.enum ?? []).map((x) => String(x));
      const hint = typeof v === "string" ? didYouMean(v, allowed) : undefined;
      return diag(
        `${keyName(path)} must be one of ${allowed.join(", ")}; got ${describeValue(v)}${hint ? ` (did you mean '${hint}'?)` : ""}`,
      );
    }
    case "minimum":
    case "maximum": {
      const v = valueAt(data, path);
      const lo = parent.minimum;
      const hi = parent.maximum;
      const expect =
        lo !== undefined && hi !== undefined
          ? `between ${lo} and ${hi}`
          : lo !== undefined
            ? `at least ${lo}`
            : `at most ${hi}`;
      return diag(`${keyName(path)} must be ${expect}, got ${describeValue(v)}`);
    }
    case "pattern": {
      if (e.propertyName !== undefined) {
        const what = path[path.length - 1] === "children" ? "group" : "host";
        return {
          ...diag(
            `${what} name '${e.propertyName}' is invalid; expected ${parent["x-expected"]}`,
            source.rangeAt([...path, e.propertyName], true),
          ),
          path: dotted([...path, e.propertyName]),
        };
      }
      const v = valueAt(data, path);
      const expected = parent["x-expected"] ?? `text matching ${parent.pattern}`;
      return diag(`${keyName(path)} must be ${expected}, got ${describeValue(v)}`);
    }
    case "minItems":
      return diag(
        `${keyName(path)} needs at least ${parent.minItems} entr${parent.minItems === 1 ? "y" : "ies"}`,
      );
    case "required": {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      if (path.length === 0 && missing === "all") {
        return diag(
          "the inventory has no top-level 'all:' key",
          source.rangeAt([]),
          "Put hosts and vars under 'all:' as in inventory.example.yaml.",
        );
      }
      return diag(`${keyName(path)} needs '${missing}'`);
    }
    default:
      return diag(`${keyName(path)} ${e.message ?? "is invalid"}`);
  }
}
