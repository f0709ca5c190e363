import type { Diagnostic } from "../diagnostics.js";
import type { Source } from "./source.js";
import { dotted } from "./structure.js";

type Obj = Record<string, unknown>;
type FilePath = (string | number)[];

/** A host with its vars merged from every group it belongs to, and where each value came from. */
export interface MergedHost {
  name: string;
  /** Where the host's own entry is (its key under some `hosts:`). */
  definedAt: FilePath;
  /** Group names from outermost to innermost, `all` first. */
  groups: string[];
  config: Obj;
  /** Dotted config path (e.g. "turn.min_port") -> file path of the node that set it. */
  origins: Map<string, FilePath>;
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

interface Occurrence {
  hostPath: FilePath;
  vars: Obj | null;
  /** Groups from `all` down to the one listing the host. */
  chain: { name: string; depth: number; varsPath: FilePath; vars: Obj | undefined }[];
}

/**
 * Ansible's rule: group vars apply by depth (all first, deeper groups later, siblings by name),
 * host vars last. Mappings merge key by key; lists and scalars replace.
 */
export function mergeHosts(
  source: Source,
  data: Obj,
): { hosts: MergedHost[]; diagnostics: Diagnostic[] } {
  const occurrences = new Map<string, Occurrence[]>();
  const walk = (group: unknown, name: string, path: FilePath, chain: Occurrence["chain"]): void => {
    if (!isObj(group)) return;
    const here = [
      ...chain,
      {
        name,
        depth: chain.length,
        varsPath: [...path, "vars"],
        vars: isObj(group.vars) ? group.vars : undefined,
      },
    ];
    if (isObj(group.hosts)) {
      for (const [host, vars] of Object.entries(group.hosts)) {
        const list = occurrences.get(host) ?? [];
        list.push({
          hostPath: [...path, "hosts", host],
          vars: isObj(vars) ? vars : null,
          chain: here,
        });
        occurrences.set(host, list);
      }
    }
    if (isObj(group.children)) {
      for (const [child, sub] of Object.entries(group.children))
        walk(sub, child, [...path, "children", child], here);
    }
  };
  walk(data.all, "all", ["all"], []);

  const diagnostics: Diagnostic[] = [];
  const hosts: MergedHost[] = [];
  const byLower = new Map<string, string>();
  for (const [name, occ] of occurrences) {
    const first = occ[0] as Occurrence;
    const clash = byLower.get(name.toLowerCase());
    if (clash !== undefined) {
      diagnostics.push({
        severity: "error",
        summary: `host '${name}' differs from host '${clash}' only in letter case; host names must be unique`,
        path: dotted(first.hostPath),
        range: source.rangeAt(first.hostPath, true),
      });
    }
    byLower.set(name.toLowerCase(), name);
    const withVars = occ.filter((o) => o.vars !== null && Object.keys(o.vars).length > 0);
    if (withVars.length > 1) {
      const [a, b] = withVars as [Occurrence, Occurrence];
      const at = source.rangeAt(a.hostPath, true);
      diagnostics.push({
        severity: "error",
        summary: `host '${name}' has vars in two places (first at ${at.start.line}:${at.start.column}); give its vars once and list it elsewhere with an empty value`,
        path: dotted(b.hostPath),
        range: source.rangeAt(b.hostPath, true),
      });
    }
    const groupLayers = new Map<string, Occurrence["chain"][number]>();
    for (const o of occ) for (const g of o.chain) groupLayers.set(dotted(g.varsPath), g);
    const layers = [...groupLayers.values()].sort(
      (x, y) => x.depth - y.depth || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0),
    );
    const config: Obj = {};
    const origins = new Map<string, FilePath>();
    for (const g of layers) if (g.vars) mergeInto(config, g.vars, g.varsPath, [], origins);
    const own = withVars[0] ?? first;
    if (own.vars) mergeInto(config, own.vars, own.hostPath, [], origins);
    hosts.push({
      name,
      definedAt: own.hostPath,
      groups: layers.map((g) => g.name),
      config,
      origins,
    });
  }
  return { hosts, diagnostics };
}

function mergeInto(
  target: Obj,
  src: Obj,
  srcPath: FilePath,
  cfgPath: string[],
  origins: Map<string, FilePath>,
): void {
  for (const [key, value] of Object.entries(src)) {
    const here = [...cfgPath, key];
    const id = here.join(".");
    if (isObj(value) && isObj(target[key])) {
      mergeInto(target[key] as Obj, value, [...srcPath, key], here, origins);
      continue;
    }
    for (const k of origins.keys()) if (k.startsWith(`${id}.`)) origins.delete(k);
    target[key] = structuredClone(value);
    origins.set(id, [...srcPath, key]);
    if (isObj(value)) recordOrigins(value, [...srcPath, key], here, origins);
  }
}

function recordOrigins(
  value: Obj,
  srcPath: FilePath,
  cfgPath: string[],
  origins: Map<string, FilePath>,
): void {
  for (const [key, v] of Object.entries(value)) {
    origins.set([...cfgPath, key].join("."), [...srcPath, key]);
    if (isObj(v)) recordOrigins(v, [...srcPath, key], [...cfgPath, key], origins);
  }
}

/** File path that set a config value; falls back to the nearest set ancestor, then the host entry. */
export function originOf(host: MergedHost, cfgPath: string): FilePath {
  const parts = cfgPath.split(".");
  for (let n = parts.length; n > 0; n--) {
    const hit = host.origins.get(parts.slice(0, n).join("."));
    if (hit) return [...hit, ...parts.slice(n)];
  }
  return host.definedAt;
}
