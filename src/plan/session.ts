// Everything plan and apply share: load and check the inventory and secrets, connect, gather
// facts in one round trip, build each host's plan, attach diffs. Nothing here prints: problems
// are diagnostics in the result, or a UserError carrying them; the command's view shows them.

import { type ApplyLock, takeLock } from "../apply/lock.js";
import { sshToHost } from "../connector/connect-host.js";
import type { SshConnector } from "../connector/ssh.js";
import type { Connector } from "../connector/types.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../diagnostics.js";
import { UserError } from "../errors.js";
import { gatherFacts } from "../facts/gather.js";
import { type Facts, freshFacts } from "../facts/types.js";
import { loadInventory } from "../inventory/load.js";
import type { Host, Inventory } from "../inventory/types.js";
import { REQUIRED_SECRETS } from "../secrets/catalog.js";
import { checkSecrets } from "../secrets/check.js";
import { registerSecret } from "../secrets/redact.js";
import { lookupSecret, type SecretsData } from "../secrets/store.js";
import { pool } from "../util/pool.js";
import { buildPlan, type HostPlan, prepare } from "./build.js";
import { attachDiffs } from "./diffs.js";

export interface SessionOptions {
  assumeFresh?: boolean;
  acceptNewHostKey?: boolean;
  concurrency?: number;
  /** Guard exception: versions.synapse below the installed Synapse. */
  allowDowngrade?: boolean;
  /**
   * Take each host's apply lock (as this owner) right after connecting, before the facts are
   * gathered: the plan shown is then the plan that runs. close() releases it.
   */
  lockAs?: string;
}

export interface HostSession {
  host: Host;
  plan: HostPlan;
  conn?: Connector;
  /** What the plan was made from (absent offline and when the host failed). */
  facts?: Facts;
  /** The host's apply lock, when this session holds it (released by close()). */
  lock?: ApplyLock;
  error?: UserError;
}

export interface Session {
  inventory: Inventory;
  hosts: HostSession[];
  diagnostics: Diagnostic[];
  close(): Promise<void>;
}

function secretsFor(
  data: SecretsData | undefined,
  host: Host,
  placeholders: boolean,
): Record<string, string> {
  if (!data) {
    if (!placeholders) throw new Error("no secrets");
    // Planning offline without a store: placeholders, never real values, registered for redaction.
    const values = Object.fromEntries(
      REQUIRED_SECRETS.map((s) => [s.name, `placeholder-${s.name}-not-a-secret`]),
    );
    for (const v of Object.values(values)) registerSecret(v);
    return values;
  }
  const names = new Set([...Object.keys(data.shared), ...Object.keys(data.hosts[host.name] ?? {})]);
  return Object.fromEntries([...names].map((n) => [n, lookupSecret(data, host.name, n) as string]));
}

/** A valid inventory with its secrets (none when planning offline without a store). */
export interface CheckedInput {
  inventory: Inventory;
  secrets: SecretsData | undefined;
  /** Warnings only: with errors, checkInput throws. */
  diagnostics: Diagnostic[];
}

/**
 * Loads and checks the inventory and its secrets, contacting no host; bad input is a UserError
 * carrying every diagnostic. Offline (--assume-fresh) a missing store is only a warning.
 */
export async function checkInput(
  inventoryFile: string,
  opts: { assumeFresh?: boolean } = {},
): Promise<CheckedInput> {
  const loaded = loadInventory(inventoryFile);
  const secrets = loaded.inventory
    ? await checkSecrets(loaded.inventory, loaded.secretRefs, !opts.assumeFresh)
    : undefined;
  let diagnostics = sortDiagnostics([...loaded.diagnostics, ...(secrets?.diagnostics ?? [])]);
  if (!loaded.inventory || hasErrors(diagnostics)) {
    throw new UserError(`inventory ${inventoryFile} has errors; nothing was done`, {
      hint: "`provision validate` lists them too.",
      diagnostics,
    });
  }
  if (opts.assumeFresh && !secrets?.data) {
    diagnostics = diagnostics.map((d) => ({ ...d, severity: "warning" as const }));
  }
  return { inventory: loaded.inventory, secrets: secrets?.data, diagnostics };
}

/**
 * Plans each chosen host: connect (host keys checked), gather facts in one round trip (which
 * also refuses a host that is not FreeBSD), build the plan, attach diffs. A host that cannot be
 * reached or refuses is that host's `error`; the others go on.
 */
export async function openSession(
  input: CheckedInput,
  chosen: Host[],
  opts: SessionOptions,
): Promise<Session> {
  const { inventory, diagnostics } = input;
  const sessions = await pool(chosen, opts.concurrency ?? 4, async (host): Promise<HostSession> => {
    const { parts, request } = prepare(
      host,
      secretsFor(input.secrets, host, opts.assumeFresh === true),
    );
    if (opts.assumeFresh) return { host, plan: buildPlan(host, parts, freshFacts(request)) };
    let conn: SshConnector | undefined;
    let lock: ApplyLock | undefined;
    try {
      conn = await sshToHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
      if (opts.lockAs !== undefined) lock = await takeLock(conn, opts.lockAs);
      const facts = await gatherFacts(conn, request);
      const plan = buildPlan(host, parts, facts, { allowDowngrade: opts.allowDowngrade === true });
      await attachDiffs(conn, plan.changes);
      return { host, plan, conn, facts, ...(lock ? { lock } : {}) };
    } catch (err) {
      await lock?.release().catch(() => undefined);
      await conn?.close();
      return {
        host,
        plan: {
          host: host.name,
          address: host.config.ssh.address,
          system: "",
          changes: [],
          diagnostics: [],
          notes: [],
        },
        error: hostError(host, err),
      };
    }
  });
  return {
    inventory,
    hosts: sessions,
    diagnostics,
    close: async () => {
      await Promise.all(
        sessions.map(async (s) => {
          await s.lock?.release().catch(() => undefined);
          await s.conn?.close();
        }),
      );
    },
  };
}

/** A host's own failure (a dropped connection too) stays that host's: the others go on. */
function hostError(host: Host, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const e = new UserError(`${host.name}: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof Error) e.stack = err.stack;
  return e;
}
