// Turns recipe entries (data) into resources for one host: placeholders in names and values are
// rendered from the template context, file contents from their templates.

import type { Handler, Recipe, RecipeResource } from "../recipes/load.js";
import type { TemplateContext } from "../render/context.js";
import { renderString, renderTemplate } from "../render/engine.js";
import { lookup } from "../render/files.js";
import { CertificateResource } from "./certificate.js";
import { DirectoryResource, FileResource } from "./file.js";
import { DhParamResource } from "./openssl.js";
import { PgDatabaseResource, PgRoleResource } from "./postgres.js";
import { PipResource, VirtualenvResource } from "./python.js";
import {
  CommandResource,
  GroupResource,
  PkgResource,
  ServiceResource,
  SysrcResource,
  UserResource,
  VersionedPkgResource,
} from "./system.js";
import type { Resource } from "./types.js";

export interface RecipePart {
  name: string;
  description: string;
  resources: Resource[];
  handlers: Handler[];
}

function str(ctx: TemplateContext, v: unknown, where: string): string {
  if (typeof v !== "string" && typeof v !== "number")
    throw new Error(`${where}: expected a string`);
  return renderString(String(v), ctx, where);
}

function build(r: RecipeResource, ctx: TemplateContext): Resource[] {
  const p = r.props;
  const where = `recipe ${r.recipe}: ${r.type}`;
  const notify = (p.notify as string[] | undefined) ?? [];
  const s = (v: unknown) => str(ctx, v, where);
  switch (r.type) {
    case "file":
      return [
        new FileResource(
          s(r.name),
          r.recipe,
          renderTemplate(p.template as string, ctx),
          s(p.owner),
          s(p.group),
          s(p.mode),
          p.sensitive === true,
          notify,
        ),
      ];
    case "directory":
      return [
        new DirectoryResource(s(r.name), r.recipe, s(p.owner), s(p.group), s(p.mode), notify),
      ];
    case "pkg": {
      const names = Array.isArray(r.name) ? r.name : [r.name];
      return [
        p.show_versions === true
          ? new VersionedPkgResource(names.map(s), r.recipe, notify)
          : new PkgResource(names.map(s), r.recipe, notify),
      ];
    }
    case "sysrc":
      return Object.entries(r.name as Record<string, unknown>).map(
        ([k, v]) => new SysrcResource(k, s(v), r.recipe, notify),
      );
    case "service":
      return [new ServiceResource(s(r.name), r.recipe, notify)];
    case "group":
      return [new GroupResource(s(r.name), r.recipe, p.gid as number | undefined, notify)];
    case "user":
      return [
        new UserResource(
          s(r.name),
          r.recipe,
          s(p.group),
          s(p.home),
          s(p.shell),
          s(p.comment),
          notify,
        ),
      ];
    case "virtualenv":
      return [new VirtualenvResource(s(r.name), r.recipe, s(p.python), notify)];
    case "pip":
      return [
        new PipResource(
          s(p.venv),
          s(r.name),
          s(p.version),
          ((p.extras as string[] | undefined) ?? []).map(s),
          r.recipe,
          notify,
          Object.fromEntries(
            Object.entries((p.env as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
              k,
              s(v),
            ]),
          ),
        ),
      ];
    case "pg_role":
      return [
        new PgRoleResource(s(r.name), r.recipe, ctx.secrets[s(p.password_secret)] ?? "", notify),
      ];
    case "pg_database":
      return [new PgDatabaseResource(s(r.name), r.recipe, s(p.owner), notify)];
    case "dhparam":
      return [new DhParamResource(s(r.name), r.recipe, Number(p.bits ?? 2048), notify)];
    case "certificate":
      return [
        new CertificateResource(
          s(r.name),
          r.recipe,
          s(p.cert),
          s(p.config),
          Number(s(p.renew_days)),
          notify,
        ),
      ];
    case "command": {
      const guard = {
        ...(p.creates !== undefined ? { creates: s(p.creates) } : {}),
        ...(p.unless !== undefined ? { unless: s(p.unless) } : {}),
        ...(p.onlyif !== undefined ? { onlyif: s(p.onlyif) } : {}),
      };
      return [
        new CommandResource(
          s(r.name),
          r.recipe,
          s(p.run),
          guard,
          notify,
          p.reason !== undefined ? s(p.reason) : undefined,
        ),
      ];
    }
    default:
      throw new Error(`${where}: unknown resource type`);
  }
}

/** The recipe's parts with their resources for this host; `when:` conditions applied. */
export function resourcesFor(recipe: Recipe, ctx: TemplateContext): RecipePart[] {
  return recipe.parts.map((part) => ({
    name: part.name,
    description: part.description,
    handlers: part.handlers,
    resources: part.resources
      .filter((r) => r.props.when === undefined || Boolean(lookup(ctx, String(r.props.when))))
      .flatMap((r) => build(r, ctx)),
  }));
}
