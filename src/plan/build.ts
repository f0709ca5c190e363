// Planning is pure: facts and the desired state in, a plan (data) out. This module orders the
// resources' changes and their handlers, then runs the guards (src/guards/). The human and
// JSON views render the same plan; apply executes its steps.

import { firewallNote } from "../apply/firewall-rollback.js";
import type { Diagnostic } from "../diagnostics.js";
import { pendingKey } from "../facts/pending-handlers.js";
import { emptyRequest, type FactRequest, type Facts } from "../facts/types.js";
import { type GuardOptions, requestGuardFacts, runGuards } from "../guards/index.js";
import type { Host } from "../inventory/types.js";
import { type Handler, loadRecipe } from "../recipes/load.js";
import { buildContext, type Secrets } from "../render/context.js";
import { type RecipePart, resourcesFor } from "../resources/factory.js";
import { type Change, initialState, type PlanState } from "../resources/types.js";

export interface HostPlan {
  host: string;
  address: string;
  system: string;
  changes: Change[];
  diagnostics: Diagnostic[];
  /** State worth seeing on every plan (certificate expiry). */
  notes: string[];
  /** Seconds until changed firewall rules roll back unless confirmed (firewall.confirm_timeout). */
  firewallConfirmSeconds?: number;
}

/** The host's resources, and every fact they and the guards need (one probe). */
export function prepare(
  host: Host,
  secrets: Secrets,
  recipeName = "homeserver",
): { parts: RecipePart[]; request: FactRequest } {
  const ctx = buildContext(host, secrets);
  const parts = resourcesFor(loadRecipe(recipeName), ctx);
  const request = emptyRequest();
  for (const part of parts) for (const r of part.resources) r.request(request);
  requestGuardFacts(request, host);
  request.pendingHandlers = true;
  return { parts, request };
}

/**
 * A handler's change: once at the end of its recipe, naming what notified it, or that an
 * earlier apply stopped after notifying it.
 */
function handlerChange(
  recipe: string,
  h: Handler,
  by: string[],
  pending: boolean,
  firewall: boolean,
): Change {
  const what = h.service ? `service ${h.service} ${h.action}` : (h.command as string);
  const why = [
    ...(by.length > 0 ? [`${by.join(", ")} changed`] : []),
    ...(pending ? ["pending from the last apply"] : []),
  ].join("; ");
  return {
    address: h.service ? `service ${h.service}` : `handler ${h.name}`,
    type: h.service ? "service" : "handler",
    name: h.service ?? h.name,
    recipe,
    action: "update",
    summary: `${h.service ? h.action : h.name} (${why})`,
    steps: [{ kind: "exec", description: h.service ? what : h.name, script: what }],
    notify: [],
    handler: h.name,
    ...(firewall ? { firewall } : {}),
  };
}

/** Shown with every plan that removes something: what removal never touches. */
export const REMOVAL_NOTE =
  "Removal takes away only what provision wrote or runs (files move to /var/backups/provision); " +
  "databases, media, signing keys, packages and their data directories are never deleted.";

export function buildPlan(
  host: Host,
  parts: RecipePart[],
  facts: Facts,
  options: GuardOptions = {},
): HostPlan {
  let state: PlanState = initialState(facts);
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  for (const part of parts) {
    const notified = new Map<string, string[]>();
    // A handler notified by a change of the rules in force loads them: it changes them too.
    const byFirewall = new Set<string>();
    const starting = new Set<string>();
    for (const r of part.resources) {
      const note = r.note?.(facts);
      if (note) notes.push(note);
      const planned = r.plan(facts, state);
      if (planned.state) state = { ...state, ...planned.state };
      for (const d of planned.diagnostics)
        diagnostics.push({ ...d, summary: `${host.name}: ${d.summary}` });
      const c = planned.change;
      if (!c) continue;
      changes.push(c);
      if (c.type === "service") starting.add(c.name);
      for (const h of c.notify) {
        notified.set(h, [...(notified.get(h) ?? []), c.address]);
        if (c.firewall) byFirewall.add(h);
      }
    }
    for (const h of part.handlers) {
      const by = notified.get(h.name) ?? [];
      const pending = facts.pendingHandlers.has(pendingKey(part.name, h.name));
      // A service this plan starts anyway needs no restart for its new configuration.
      if ((by.length === 0 && !pending) || (h.service && starting.has(h.service))) continue;
      changes.push(
        handlerChange(
          part.name,
          h,
          by,
          pending,
          byFirewall.has(h.name) || part.name === "firewall",
        ),
      );
    }
  }
  diagnostics.push(...runGuards(host, facts, changes, options));
  if (changes.some((c) => c.action === "delete")) notes.push(REMOVAL_NOTE);
  const firewall = changes.some((c) => c.firewall);
  const firewallConfirmSeconds = host.config.firewall.confirm_timeout;
  if (firewall) notes.push(firewallNote(firewallConfirmSeconds));
  return {
    host: host.name,
    address: host.config.ssh.address,
    system: `${facts.os.system} ${facts.os.version}`.trim(),
    changes,
    diagnostics,
    notes,
    ...(firewall ? { firewallConfirmSeconds } : {}),
  };
}

export function summarize(changes: Change[]): { add: number; change: number; remove: number } {
  return {
    add: changes.filter((c) => c.action === "create").length,
    change: changes.filter((c) => c.action === "update").length,
    remove: changes.filter((c) => c.action === "delete").length,
  };
}
