import { basename, dirname, resolve } from "node:path";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../diagnostics.js";
import { checkHost, REQUIRED_KEYS } from "./checks.js";
import { type MergedHost, mergeHosts, originOf } from "./merge.js";
import { applyDefaults } from "./schema.js";
import { readInventorySource, type Source } from "./source.js";
import { checkStructure, dotted } from "./structure.js";
import type { Host, HostConfig, Inventory, SecretRef } from "./types.js";

export interface SecretUse {
  host: string;
  name: string;
  /** Where the reference is written, for diagnostics. */
  range: Diagnostic["range"];
  path: string;
}

export interface LoadResult {
  inventory?: Inventory;
  /** Secret references written in the inventory ({ secret: NAME }). */
  secretRefs: SecretUse[];
  source?: Source;
  diagnostics: Diagnostic[];
}

/** Parses, checks and merges an inventory. Never throws for bad input: every problem is a diagnostic. */
export function loadInventory(file: string): LoadResult {
  const read = readInventorySource(file);
  if (!read.source || hasErrors(read.diagnostics)) {
    return {
      diagnostics: sortDiagnostics(read.diagnostics),
      secretRefs: [],
      ...(read.source ? { source: read.source } : {}),
    };
  }
  const source = read.source;
  const diagnostics = [...read.diagnostics];
  let data: unknown;
  try {
    data = source.doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    diagnostics.push({
      severity: "error",
      summary: `YAML error: ${(err as Error).message.split("\n")[0]}`,
      range: source.rangeAt([]),
    });
    return { diagnostics: sortDiagnostics(diagnostics), secretRefs: [], source };
  }
  const structural = checkStructure(source, data);
  diagnostics.push(...structural.diagnostics);
  if (!structural.pruned)
    return { diagnostics: sortDiagnostics(diagnostics), secretRefs: [], source };

  const root = structural.pruned as { all: Record<string, unknown> };
  const merged = mergeHosts(source, root);
  // Required keys count as present when written but invalid (already reported above).
  const written =
    structural.diagnostics.length > 0
      ? mergeHosts(source, data as typeof root).hosts
      : merged.hosts;
  diagnostics.push(...merged.diagnostics);
  if (written.length === 0) {
    diagnostics.push({
      severity: "error",
      summary: "the inventory lists no hosts; add one under all.hosts",
      path: "all",
      range: source.rangeAt(["all"], true),
    });
  }
  checkSecretsPlacement(source, root.all, ["all"], diagnostics);

  const hosts: Host[] = [];
  const secretRefs: SecretUse[] = [];
  const serverNames = new Map<string, string>();
  for (const m of merged.hosts) {
    const raw = written.find((w) => w.name === m.name)?.config ?? m.config;
    const missing = REQUIRED_KEYS.filter((k) => raw[k] === undefined || raw[k] === null);
    if (missing.length > 0) {
      diagnostics.push({
        severity: "error",
        summary: `host '${m.name}' has no ${missing.join(", ")}; set ${missing.length > 1 ? "them" : "it"} in the host's vars or in a group's vars (e.g. all.vars)`,
        path: dotted(m.definedAt),
        range: source.rangeAt(m.definedAt, true),
      });
      continue;
    }
    if (REQUIRED_KEYS.some((k) => m.config[k] === undefined)) continue;
    const config = finish(m);
    diagnostics.push(...checkHost(source, m, config));
    const other = serverNames.get(config.server_name);
    if (other !== undefined) {
      const at = originOf(m, "server_name");
      diagnostics.push({
        severity: "error",
        summary: `hosts '${other}' and '${m.name}' both use server_name ${config.server_name}; each homeserver needs its own`,
        path: dotted(at),
        range: source.rangeAt(at),
      });
    }
    serverNames.set(config.server_name, m.name);
    collectSecretRefs(source, m, m.config, "", secretRefs);
    const sshExplicit = [...m.origins.keys()]
      .filter((k) => k.startsWith("ssh."))
      .map((k) => k.slice(4));
    hosts.push({ name: m.name, groups: m.groups, config, sshExplicit });
  }

  const sortedDiags = sortDiagnostics(diagnostics);
  if (hasErrors(sortedDiags)) return { diagnostics: sortedDiags, secretRefs, source };
  const settings =
    (root.all.vars as { secrets?: { file?: string; identity_file?: string } } | undefined)
      ?.secrets ?? {};
  const dir = dirname(resolve(file));
  const stem = basename(file).replace(/\.ya?ml$/i, "");
  const inventory: Inventory = {
    file,
    hosts: hosts.sort((a, b) => (a.name < b.name ? -1 : 1)),
    secrets: {
      file: resolve(dir, settings.file ?? `${stem}.secrets.age`),
      ...(settings.identity_file ? { identityFile: settings.identity_file } : {}),
    },
  };
  return { inventory, diagnostics: sortedDiags, secretRefs, source };
}

/** Schema defaults, then the defaults derived from other values. */
function finish(m: MergedHost): HostConfig {
  const c = structuredClone(m.config);
  applyDefaults(c);
  const cfg = c as unknown as HostConfig;
  cfg.public_hostname ??= cfg.server_name;
  cfg.ssh.address ??= cfg.public_ipv4;
  cfg.turn.realm ??= cfg.public_hostname;
  cfg.certificates.contact_email ??= cfg.admin_email;
  cfg.synapse.email.notif_from ??= `Matrix <noreply@${cfg.server_name}>`;
  if (cfg.dns.search === undefined) {
    const parent = cfg.public_hostname.split(".").slice(1).join(".");
    cfg.dns.search = parent.includes(".") ? parent : cfg.public_hostname;
  }
  return cfg;
}

/** The store location is one per inventory: only all.vars may say where it is. */
function checkSecretsPlacement(
  source: Source,
  group: unknown,
  path: (string | number)[],
  out: Diagnostic[],
): void {
  if (!group || typeof group !== "object") return;
  const g = group as Record<string, Record<string, unknown> | undefined>;
  const flag = (p: (string | number)[]) =>
    out.push({
      severity: "error",
      summary: "'secrets' settings apply to the whole inventory; move them to all.vars",
      path: dotted(p),
      range: source.rangeAt(p, true),
    });
  if (path.length > 1 && g.vars && typeof g.vars === "object" && "secrets" in g.vars)
    flag([...path, "vars", "secrets"]);
  for (const [name, vars] of Object.entries(g.hosts ?? {})) {
    if (vars && typeof vars === "object" && "secrets" in vars)
      flag([...path, "hosts", name, "secrets"]);
  }
  for (const [name, child] of Object.entries(g.children ?? {}))
    checkSecretsPlacement(source, child, [...path, "children", name], out);
}

function collectSecretRefs(
  source: Source,
  m: MergedHost,
  value: unknown,
  path: string,
  out: SecretUse[],
): void {
  if (!value || typeof value !== "object") return;
  if (
    !Array.isArray(value) &&
    typeof (value as SecretRef).secret === "string" &&
    Object.keys(value).length === 1
  ) {
    const at = originOf(m, `${path}.secret`.replace(/^\./, ""));
    out.push({
      host: m.name,
      name: (value as SecretRef).secret,
      range: source.rangeAt(at),
      path: dotted(at),
    });
    return;
  }
  for (const [k, v] of Object.entries(value))
    collectSecretRefs(source, m, v, path ? `${path}.${k}` : k, out);
}
