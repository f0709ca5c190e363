// The safety checks every plan passes, in the order their diagnostics are shown.
import type { Diagnostic } from "../diagnostics.js";
import type { FactRequest, Facts } from "../facts/types.js";
import type { Host } from "../inventory/types.js";
import type { Change } from "../resources/types.js";
import { directoryReown } from "./directory-reown.js";
import { firewallLockout } from "./firewall-lockout.js";
import { postgresMajor } from "./postgres-major.js";
import { serverNameUnchanged } from "./server-name-unchanged.js";
import { sshPortLockout } from "./ssh-port-lockout.js";
import { synapseDowngrade } from "./synapse-downgrade.js";
import type { Guard, GuardOptions } from "./types.js";

export type { Guard, GuardOptions } from "./types.js";

export const GUARDS: readonly Guard[] = [
  firewallLockout,
  sshPortLockout,
  postgresMajor,
  synapseDowngrade,
  serverNameUnchanged,
  directoryReown,
];

export function requestGuardFacts(req: FactRequest, host: Host): void {
  for (const g of GUARDS) g.request?.(req, host);
}

export function runGuards(
  host: Host,
  facts: Facts,
  changes: readonly Change[],
  options: GuardOptions = {},
): Diagnostic[] {
  return GUARDS.flatMap((g) => g.check(host, facts, changes, options));
}
