// Turns recipe entries (data, already checked against their type's descriptor) into resources
// for one host: placeholders in names and values are rendered from the template context, file
// contents from their templates.

import type { FactRequest, Facts } from "../facts/types.js";
import type { Handler, Recipe } from "../recipes/load.js";
import type { TemplateContext } from "../render/context.js";
import { renderString, renderTemplate } from "../render/engine.js";
import { lookup } from "../render/files.js";
import type { Entry, PropsSpec, Renderer, ValueKind } from "./descriptor.js";
import { resourceType } from "./registry.js";
import type { Planned, Resource } from "./types.js";

export interface RecipePart {
  name: string;
  description: string;
  resources: Resource[];
  handlers: Handler[];
}

function renderer(ctx: TemplateContext, where: string): Renderer {
  return {
    text: (v) => renderString(String(v), ctx, where),
    template: (name) => renderTemplate(name, ctx),
    secret: (name) => ctx.secrets[name] ?? "",
  };
}

/**
 * An entry whose `when:` is false but which says `remove: true`: the built resource planned
 * towards absence. It notifies nothing (a handler would restart what is being taken away).
 */
class Removal implements Resource {
  readonly type: string;
  readonly name: string;
  readonly recipe: string;
  readonly notify: string[] = [];
  readonly firewall?: boolean;
  constructor(private readonly inner: Resource & Required<Pick<Resource, "planRemoval">>) {
    this.type = inner.type;
    this.name = inner.name;
    this.recipe = inner.recipe;
    if (inner.firewall) this.firewall = true;
  }
  request(req: FactRequest): void {
    this.inner.request(req);
  }
  plan(facts: Facts): Planned {
    const p = this.inner.planRemoval(facts);
    return p.change ? { ...p, change: { ...p.change, notify: [] } } : p;
  }
}

function removal(r: Resource, source: string): Resource {
  if (!r.planRemoval) throw new Error(`${source}: ${r.type} resources cannot be removed`);
  return new Removal(r as Resource & Required<Pick<Resource, "planRemoval">>);
}

/**
 * The recipe's parts with their resources for this host; `when:` conditions applied. What an
 * entry with a false `when:` and `remove: true` removes goes first, in reverse recipe order:
 * a service stops before its configuration goes, as the recipe put them in place.
 */
export function resourcesFor(recipe: Recipe, ctx: TemplateContext): RecipePart[] {
  return recipe.parts.map((part) => {
    const present: Resource[] = [];
    const removed: Resource[] = [];
    for (const r of part.resources) {
      const on = r.props.when === undefined || Boolean(lookup(ctx, String(r.props.when)));
      if (!on && r.props.remove !== true) continue;
      const t = resourceType(r.type);
      if (!t) throw new Error(`${r.source}: unknown resource type ${r.type}`);
      const entry: Entry<ValueKind, PropsSpec> = {
        name: r.name as Entry<ValueKind, PropsSpec>["name"],
        props: r.props as Entry<ValueKind, PropsSpec>["props"],
        recipe: r.recipe,
        notify: (r.props.notify as string[] | undefined) ?? [],
      };
      const built = t.build(entry, renderer(ctx, `recipe ${r.recipe}: ${r.type}`));
      if (r.props.firewall === true) for (const b of built) b.firewall = true;
      if (on) present.push(...built);
      else removed.unshift(...built.map((b) => removal(b, r.source)).reverse());
    }
    return {
      name: part.name,
      description: part.description,
      handlers: part.handlers,
      resources: [...removed, ...present],
    };
  });
}
