import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";

/** templates/ at the package root (two levels above both src/render and dist/bundle). */
export const TEMPLATES_DIR = join(import.meta.dirname, "../../templates");

const hb = Handlebars.create();

// The few helpers templates need; each is tested in test/render/engine.test.ts.
/** A value as a JSON/YAML double-quoted string (safe for any characters). */
hb.registerHelper("quote", (v: unknown) => JSON.stringify(String(v)));
/** Items joined by a separator: {{join list ", "}}. */
hb.registerHelper("join", (list: unknown, sep: unknown) => {
  if (!Array.isArray(list)) throw new Error("join: expected a list");
  return list.join(typeof sep === "string" ? sep : ",");
});

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Compiles a template string: strict (a missing variable is an error), no HTML escaping. */
export function compile(text: string, name = "inline"): Handlebars.TemplateDelegate {
  const key = `${name}\u0000${text}`;
  let t = cache.get(key);
  if (!t) {
    t = hb.compile(text, { strict: true, noEscape: true, knownHelpersOnly: false });
    cache.set(key, t);
  }
  return t;
}

export function renderString(text: string, context: object, name?: string): string {
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
