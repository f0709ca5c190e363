// Planning is pure: facts and the desired state in, a plan (data) out. The human and JSON views
// render the same plan; apply executes its steps.
import type { Diagnostic } from "../diagnostics.js";
import { emptyRequest, type FactRequest, type Facts } from "../facts/types.js";
import type { Host } from "../inventory/types.js";
import { loadRecipe } from "../recipes/load.js";
import { buildContext, type Secrets } from "../render/context.js";
import { type RecipePart, resourcesFor } from "../resources/factory.js";
import type { Change } from "../resources/types.js";
import { parseCidr } from "../util/net.js";
import { postgresqlEndOfLife } from "../versions.js";

export interface HostPlan {
  host: string;
  address: string;
  system: string;
  changes: Change[];
  diagnostics: Diagnostic[];
  /** State worth seeing on every plan (certificate expiry). */
  notes: string[];
}

export function prepare(
  host: Host,
  secrets: Secrets,
  recipeName = "homeserver",
): { parts: RecipePart[]; request: FactRequest } {
  const ctx = buildContext(host, secrets);
  const parts = resourcesFor(loadRecipe(recipeName), ctx);
  const request = emptyRequest();
  for (const part of parts) for (const r of part.resources) r.request(request);
  return { parts, request };
}

function inCidrs(address: string, cidrs: string[]): boolean {
  const a = parseCidr(address);
  if (!a) return false;
  return cidrs.some((c) => {
    const n = parseCidr(c);
    if (!n || n.family !== a.family) return false;
    const probe = parseCidr(`${address}/${n.prefix}`);
    return probe?.network === n.network;
  });
}

export function buildPlan(host: Host, parts: RecipePart[], facts: Facts): HostPlan {
  const state: Facts = { ...facts };
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  for (const part of parts) {
    const notified = new Map<string, string[]>();
    const starting = new Set<string>();
    for (const r of part.resources) {
      if (r.note) notes.push(r.note(state));
      const c = r.plan(state);
      if (!c) continue;
      changes.push(c);
      if (c.error)
        diagnostics.push({ severity: "error", summary: `${host.name}: ${c.address}: ${c.error}` });
      if (c.type === "service") starting.add(c.name);
      for (const h of c.notify) notified.set(h, [...(notified.get(h) ?? []), c.address]);
    }
    for (const h of part.handlers) {
      const by = notified.get(h.name);
      // A service this plan starts anyway needs no restart for its new configuration.
      if (!by || (h.service && starting.has(h.service))) continue;
      const what = h.service ? `service ${h.service} ${h.action}` : (h.command as string);
      changes.push({
        address: h.service ? `service ${h.service}` : `handler ${h.name}`,
        type: h.service ? "service" : "handler",
        name: h.service ?? h.name,
        recipe: part.name,
        action: "update",
        summary: `${h.service ? h.action : h.name} (${by.join(", ")} changed)`,
        steps: [{ kind: "exec", description: h.service ? what : h.name, script: what }],
        notify: [],
      });
    }
  }
  // The firewall must never lock out the connection provision itself uses.
  const client = facts.os.sshClient;
  const fw = changes.some(
    (c) =>
      c.name === "/etc/rc.firewall.matrix" || c.name === "ipfw" || c.name === "firewall_enable",
  );
  if (fw && client && !inCidrs(client, host.config.management_cidrs)) {
    diagnostics.push({
      severity: "error",
      summary: `${host.name}: this SSH connection comes from ${client}, which is not in management_cidrs (${host.config.management_cidrs.join(", ")}); the firewall would lock provision out`,
      detail: `Add ${client}/32 (or its network) to management_cidrs, or connect from a listed network.`,
    });
  }
  const installed = [...facts.packages.keys()]
    .map((p) => /^postgresql(\d+)-server$/.exec(p)?.[1])
    .find(Boolean);
  const wanted = host.config.versions.postgresql;
  if (installed && Number(installed) !== wanted) {
    // Installing another major's packages would make pkg remove the running server: never here.
    diagnostics.push({
      severity: "error",
      summary: `${host.name}: PostgreSQL ${installed} is installed but the inventory asks for ${wanted}; apply does not swap majors (that would drop the cluster)`,
      detail:
        Number(installed) < wanted
          ? `Move the data first: \`provision upgrade-postgres --host ${host.name} --to ${wanted}\`.`
          : `Set versions.postgresql to ${installed} in the inventory.`,
    });
  } else if (installed && postgresqlEndOfLife(Number(installed))) {
    diagnostics.push({
      severity: "warning",
      summary: `${host.name}: PostgreSQL ${installed} is end of life since ${postgresqlEndOfLife(Number(installed))}`,
      detail: `Upgrade with \`provision upgrade-postgres --host ${host.name} --to 17\`.`,
    });
  }
  return {
    host: host.name,
    address: host.config.ssh.address,
    system: `${facts.os.system} ${facts.os.version}`.trim(),
    changes,
    diagnostics,
    notes,
  };
}

export function summarize(changes: Change[]): { add: number; change: number; remove: number } {
  return {
    add: changes.filter((c) => c.action === "create").length,
    change: changes.filter((c) => c.action === "update").length,
    remove: changes.filter((c) => c.action === "delete").length,
  };
}
