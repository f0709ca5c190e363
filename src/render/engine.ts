import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import PRECOMPILED from "./generated/templates.js";

/** templates/ at the package root (two levels above both src/render and dist/bundle). */
export const TEMPLATES_DIR = join(import.meta.dirname, "../../templates");

/** Strict (a missing variable is an error), no HTML escaping. The build precompiles with these. */
export const COMPILE_OPTIONS = { strict: true, noEscape: true, knownHelpersOnly: false } as const;

const hb = Handlebars.create();

// The few helpers templates need; each is tested in test/render/engine.test.ts.
/** A value as a JSON/YAML double-quoted string (safe for any characters). */
hb.registerHelper("quote", (v: unknown) => JSON.stringify(String(v)));
/** Items joined by a separator: {{join list ", "}}. */
hb.registerHelper("join", (list: unknown, sep: unknown) => {
  if (!Array.isArray(list)) throw new Error("join: expected a list");
  return list.join(typeof sep === "string" ? sep : ",");
});

/** The build's precompiled templates, keyed by their source text (scripts/build-compiled.mjs). */
const precompiled = PRECOMPILED as unknown as Record<string, TemplateSpecification | undefined>;
type TemplateSpecification = Parameters<typeof hb.template>[0];

const cache = new Map<string, Handlebars.TemplateDelegate>();
const compiledAtRunTime: string[] = [];

/** Compiles now, as the build does (the fallback, and what tests compare the build against). */
export function compileAtRunTime(text: string): Handlebars.TemplateDelegate {
  return hb.compile(text, COMPILE_OPTIONS);
}

/**
 * A template function for this text: the build's precompiled one when the text is the one it
 * was built from (templates/ and recipes/ stay the source of truth), else compiled now.
 */
export function compile(text: string, name = "inline"): Handlebars.TemplateDelegate {
  const key = `${name}\u0000${text}`;
  let t = cache.get(key);
  if (!t) {
    const spec = Object.hasOwn(precompiled, text) ? precompiled[text] : undefined;
    if (spec) t = hb.template(spec);
    else {
      compiledAtRunTime.push(name);
      t = compileAtRunTime(text);
    }
    cache.set(key, t);
  }
  return t;
}

/** Names of the templates this process had to compile at run time (none when the build is current). */
export function runtimeCompiled(): readonly string[] {
  return compiledAtRunTime;
}

export function renderString(text: string, context: object, name?: string): string {
  // Text without a mustache renders as itself: nothing to compile.
  if (!text.includes("{{")) return text;
  try {
    return compile(text, name)(context);
  } catch (err) {
    throw new Error(`template ${name ?? "inline"}: ${(err as Error).message}`);
  }
}

export function renderTemplate(name: string, context: object): string {
  const text = readFileSync(join(TEMPLATES_DIR, name), "utf8");
  return renderString(text, context, name);
}
