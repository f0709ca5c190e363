// Turns recipe entries (data, already checked against their type's descriptor) into resources
// for one host: placeholders in names and values are rendered from the template context, file
// contents from their templates.

import type { Handler, Recipe } from "../recipes/load.js";
import type { TemplateContext } from "../render/context.js";
import { renderString, renderTemplate } from "../render/engine.js";
import { lookup } from "../render/files.js";
import type { Entry, PropsSpec, Renderer, ValueKind } from "./descriptor.js";
import { resourceType } from "./registry.js";
import type { Resource } from "./types.js";

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

/** The recipe's parts with their resources for this host; `when:` conditions applied. */
export function resourcesFor(recipe: Recipe, ctx: TemplateContext): RecipePart[] {
  return recipe.parts.map((part) => ({
    name: part.name,
    description: part.description,
    handlers: part.handlers,
    resources: part.resources
      .filter((r) => r.props.when === undefined || Boolean(lookup(ctx, String(r.props.when))))
      .flatMap((r) => {
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
        return built;
      }),
  }));
}
