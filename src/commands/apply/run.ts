import { type ApplyResult, applyPlan } from "../../apply/execute.js";
import { lockOwner, registerStepScript } from "../../apply/lock.js";
import { parseConcurrency } from "../../cli/concurrency.js";
import { confirm } from "../../cli/confirm.js";
import type { Context } from "../../cli/context.js";
import { selectHosts } from "../../cli/select-hosts.js";
import { sshToHost } from "../../connector/connect-host.js";
import { hasErrors } from "../../diagnostics.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import type { Host, Inventory } from "../../inventory/types.js";
import { type HostDrift, planDrift, readSavedPlan, type SavedPlan } from "../../plan/saved.js";
import { checkInput, type HostSession, openSession } from "../../plan/session.js";
import { pool } from "../../util/pool.js";
import { type ApplyViewEvent, applyView, type HostOutcome } from "../../views/apply.js";
import { renderPlan } from "../../views/plan.js";
import { liveWanted } from "../../views/progress.js";

export interface ApplyOptions {
  host?: string;
  limit?: string;
  yes?: boolean;
  /** As typed: a whole number of at least 1. */
  concurrency: string;
  acceptNewHostKey?: boolean;
  allowDowngrade?: boolean;
  failFast?: boolean;
}

export async function run(ctx: Context, opts: ApplyOptions, args: string[] = []): Promise<number> {
  const { out } = ctx;
  const concurrency = parseConcurrency(opts.concurrency);
  const planFile = args[0];
  if (planFile !== undefined && (opts.host !== undefined || opts.limit !== undefined))
    throw new UserError("a saved plan names its hosts: --host and --limit do not go with it", {
      hint: "Make a plan for fewer hosts with `provision plan --limit PATTERN --out FILE`.",
    });
  const saved = planFile === undefined ? undefined : readSavedPlan(planFile);
  const input = await checkInput(ctx.inventoryFile);
  const hosts = saved
    ? savedHosts(input.inventory, saved, planFile as string)
    : selectHosts(input.inventory, opts);
  const who = lockOwner("apply");
  // The lock comes first: the plan shown (or compared with the saved one) is the plan that runs.
  const session = await openSession(input, hosts, {
    acceptNewHostKey: opts.acceptNewHostKey === true,
    allowDowngrade: opts.allowDowngrade === true,
    concurrency,
    lockAs: who,
  });
  try {
    const show = applyView(out, liveWanted(process.stdout));
    if (saved) {
      const drift = session.hosts
        .filter((hs) => !hs.error)
        .map((hs) =>
          planDrift(
            saved.hosts.find((h) => h.host === hs.host.name) as SavedPlan["hosts"][number],
            hs,
          ),
        )
        .filter((d): d is HostDrift => d !== undefined);
      if (drift.length > 0) {
        show({ type: "plan_stale", file: planFile as string, drift });
        return EXIT_ERROR;
      }
    }
    renderPlan(out, session);
    const outcomes = await converge(
      session.hosts,
      { ...opts, concurrency, confirmed: saved !== undefined },
      show,
    );
    if (outcomes === "cancelled") return EXIT_OK;
    show({ type: "apply_summary", hosts: outcomes });
    return outcomes.some((o) => o.result === "failed") ? EXIT_ERROR : EXIT_OK;
  } finally {
    await session.close();
  }
}

/** The saved plan's hosts, each of which must still be in the inventory. */
function savedHosts(inventory: Inventory, saved: SavedPlan, file: string): Host[] {
  return saved.hosts.map((s) => {
    const host = inventory.hosts.find((h) => h.name === s.host);
    if (!host)
      throw new UserError(`${file} plans host '${s.host}', which is not in ${inventory.file}`, {
        hint: "Make a new plan with `provision plan --out FILE`.",
      });
    return host;
  });
}

/**
 * Applies each host's plan on its own: a host that could not be planned, is locked or fails a
 * step is that host's result, and the others go on (with --fail-fast, hosts not yet started
 * are skipped and running ones stop before their next step).
 */
async function converge(
  hosts: HostSession[],
  opts: { yes?: boolean; failFast?: boolean; concurrency: number; confirmed: boolean },
  show: (e: ApplyViewEvent) => void,
): Promise<HostOutcome[] | "cancelled"> {
  const outcomes = new Map<string, HostOutcome>();
  const outcome = (hs: HostSession, o: Omit<HostOutcome, "host" | "total">) =>
    outcomes.set(hs.host.name, { host: hs.host.name, total: stepCount(hs), ...o });
  let failed = false;
  for (const hs of hosts) {
    const host = hs.host.name;
    if (hs.error || hasErrors(hs.plan.diagnostics)) {
      const reason = hs.error?.message ?? `the plan for ${host} has errors (above)`;
      show({
        type: "apply_host_failed",
        host,
        reason,
        ...(hs.error?.hint ? { hint: hs.error.hint } : {}),
      });
      outcome(hs, { result: "failed", steps: 0, ms: 0, reason });
      failed = true;
    } else if (hs.plan.changes.length === 0) outcome(hs, { result: "converged", steps: 0, ms: 0 });
  }
  const todo = hosts.filter((hs) => !outcomes.has(hs.host.name));
  const stop = () => opts.failFast === true && failed;
  if (todo.length > 0 && !stop() && !opts.confirmed) {
    const names = todo.map((h) => h.host.name).join(", ");
    if (!(await confirm(`Apply these changes to ${names}?`, { yes: opts.yes, command: "apply" }))) {
      show({ type: "apply_cancelled" });
      return "cancelled";
    }
  }
  await pool(todo, opts.concurrency, async (hs) => {
    const conn = hs.conn;
    if (stop() || !conn) {
      outcome(hs, {
        result: "skipped",
        steps: 0,
        ms: 0,
        reason: "--fail-fast: another host failed",
      });
      return;
    }
    const t0 = Date.now();
    let result: ApplyResult;
    try {
      if (!hs.lock) throw new Error(`internal: no apply lock held on ${hs.host.name}`);
      result = await applyPlan(conn, hs.plan, show, {
        stepPrefix: registerStepScript(hs.lock.holder),
        shouldStop: stop,
        // New firewall rules are confirmed over a new connection (apply/firewall-rollback.ts).
        newConnection: () => sshToHost(hs.host),
      });
    } catch (err) {
      // A dropped connection ends this host only.
      failed = true;
      const reason = err instanceof Error ? err.message : String(err);
      show({ type: "apply_host_failed", host: hs.host.name, reason });
      outcome(hs, { result: "failed", steps: 0, ms: Date.now() - t0, reason });
      return;
    }
    const ms = Date.now() - t0;
    if (result.stopped) {
      outcome(hs, {
        result: "skipped",
        steps: result.applied,
        ms,
        reason: "--fail-fast: stopped after another host failed",
      });
      return;
    }
    if (!result.ok) failed = true;
    show({ type: "apply_result", result, changes: hs.plan.changes });
    const f = result.failed;
    outcome(hs, {
      result: result.ok ? "converged" : "failed",
      steps: result.applied,
      ms,
      ...(f ? { reason: `${f.change.address} (exit ${f.code})` } : {}),
    });
  });
  return hosts.map((hs) => outcomes.get(hs.host.name) as HostOutcome);
}

function stepCount(hs: HostSession): number {
  return hs.plan.changes.reduce((n, c) => n + c.steps.length, 0);
}
