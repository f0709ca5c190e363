// Everything plan and apply share: load and check the inventory and secrets, connect, gather
// facts in one round trip, build each host's plan, attach diffs.
import type { Context } from "../cli/context.js";
import { SshConnector } from "../connector/ssh.js";
import type { Connector } from "../connector/types.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../diagnostics.js";
import { UserError } from "../errors.js";
import { gatherFacts } from "../facts/gather.js";
import { freshFacts } from "../facts/types.js";
import { loadInventory } from "../inventory/load.js";
import type { Host, Inventory } from "../inventory/types.js";
import { REQUIRED_SECRETS } from "../secrets/catalog.js";
import { checkSecrets } from "../secrets/check.js";
import { registerSecret } from "../secrets/redact.js";
import { lookupSecret, type SecretsData } from "../secrets/store.js";
import { formatDiagnostic } from "../views/diagnostics.js";
import { buildPlan, type HostPlan, prepare } from "./build.js";
import { attachDiffs } from "./diffs.js";

export interface SessionOptions {
  host?: string;
  assumeFresh?: boolean;
  acceptNewHostKey?: boolean;
  concurrency?: number;
}

export interface HostSession {
  host: Host;
  plan: HostPlan;
  conn?: Connector;
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

/** Runs fn over items with at most `limit` at a time. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Loads and checks everything; prints diagnostics and throws when the input is bad. Touches no host before that. */
export async function openSession(ctx: Context, opts: SessionOptions): Promise<Session> {
  const loaded = loadInventory(ctx.inventoryFile);
  const secrets = loaded.inventory
    ? await checkSecrets(loaded.inventory, loaded.secretRefs, !opts.assumeFresh)
    : undefined;
  let diagnostics = sortDiagnostics([...loaded.diagnostics, ...(secrets?.diagnostics ?? [])]);
  if (!loaded.inventory || hasErrors(diagnostics)) {
    for (const d of diagnostics) ctx.out.error(formatDiagnostic(d, ctx.out));
    throw new UserError(`inventory ${ctx.inventoryFile} has errors; nothing was done`, {
      hint: "`provision validate` lists them too.",
    });
  }
  const inventory = loaded.inventory;
  if (opts.assumeFresh && !secrets?.data) {
    diagnostics = diagnostics.map((d) => ({ ...d, severity: "warning" as const }));
  }
  const chosen = inventory.hosts.filter((h) => opts.host === undefined || h.name === opts.host);
  if (chosen.length === 0) {
    throw new UserError(`no host '${opts.host}' in ${ctx.inventoryFile}`, {
      hint: `Hosts: ${inventory.hosts.map((h) => h.name).join(", ")}`,
    });
  }
  const sessions = await pool(chosen, opts.concurrency ?? 4, async (host): Promise<HostSession> => {
    const { parts, request } = prepare(
      host,
      secretsFor(secrets?.data, host, opts.assumeFresh === true),
    );
    if (opts.assumeFresh) return { host, plan: buildPlan(host, parts, freshFacts(request)) };
    let conn: SshConnector | undefined;
    try {
      conn = await SshConnector.connect(host.name, host.config.ssh, new Set(host.sshExplicit), {
        ...(opts.acceptNewHostKey ? { acceptNewHostKey: true } : {}),
      });
      const facts = await gatherFacts(conn, request);
      const plan = buildPlan(host, parts, facts);
      await attachDiffs(conn, plan.changes);
      return { host, plan, conn };
    } catch (err) {
      await conn?.close();
      if (!(err instanceof UserError)) throw err;
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
        error: err,
      };
    }
  });
  return {
    inventory,
    hosts: sessions,
    diagnostics,
    close: async () => {
      await Promise.all(sessions.map((s) => s.conn?.close()));
    },
  };
}
