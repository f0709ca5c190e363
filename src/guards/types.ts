// A guard is a named safety check over a whole plan: pure, (host, facts, changes) in,
// diagnostics out. An error diagnostic stops apply before anything runs.
import type { Diagnostic } from "../diagnostics.js";
import type { FactRequest, Facts } from "../facts/types.js";
import type { Host } from "../inventory/types.js";
import type { Change } from "../resources/types.js";

/** Deliberate exceptions the operator may ask for (no CLI flag yet). */
export interface GuardOptions {
  /** Let versions.synapse be lower than the installed Synapse. */
  allowDowngrade?: boolean;
}

export interface Guard {
  /** Stable name, for docs and tests. */
  name: string;
  /** Adds the facts the check needs (gathered with the resources' facts, one round trip). */
  request?(req: FactRequest, host: Host): void;
  check(host: Host, facts: Facts, changes: readonly Change[], options: GuardOptions): Diagnostic[];
}

/** Whether the plan changes the firewall (resources declare it in their recipe). */
export function changesFirewall(changes: readonly Change[]): boolean {
  return changes.some((c) => c.firewall === true);
}
