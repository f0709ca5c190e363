import type { Host } from "../inventory/types.js";
import { loadRecipe } from "../recipes/load.js";
import { sha256 } from "../util/hash.js";
import { buildContext, type Secrets, type TemplateContext } from "./context.js";
import { renderString, renderTemplate } from "./engine.js";

export interface RenderedFile {
  path: string;
  content: string;
  owner: string;
  group: string;
  /** Octal text, e.g. "0640". */
  mode: string;
  /** Holds secret values: never shown in diffs. */
  sensitive: boolean;
  template: string;
  recipe: string;
  sha256: string;
}

/** Looks up a dotted path in the context ("turn.enabled"); used by recipes' `when:`. */
export function lookup(ctx: object, path: string): unknown {
  let v: unknown = ctx;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || !(part in v))
      throw new Error(`unknown value '${path}'`);
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Renders every file resource of a recipe for one host, in recipe order. Pure: no I/O on hosts. */
export function renderFiles(
  host: Host,
  secrets: Secrets,
  recipeName = "homeserver",
): RenderedFile[] {
  const ctx: TemplateContext = buildContext(host, secrets);
  const out: RenderedFile[] = [];
  for (const r of loadRecipe(recipeName).resources) {
    if (r.type !== "file") continue;
    const p = r.props as {
      template: string;
      owner: string;
      group: string;
      mode: string;
      sensitive?: boolean;
      when?: string;
    };
    if (p.when !== undefined && !lookup(ctx, p.when)) continue;
    const path = renderString(String(r.name), ctx, `${r.recipe}: path`);
    const content = renderTemplate(p.template, ctx);
    out.push({
      path,
      content,
      owner: p.owner,
      group: p.group,
      mode: p.mode,
      sensitive: p.sensitive === true,
      template: p.template,
      recipe: r.recipe,
      sha256: sha256(content),
    });
  }
  return out;
}
