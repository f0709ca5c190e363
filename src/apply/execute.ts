// Applying is the only side effect: the plan's steps, in order, stopping at the first failure.
import type { Connector, ExecResult } from "../connector/types.js";
import {
  clearAllPendingScript,
  clearPendingScript,
  pendingKey,
  recordPendingScript,
} from "../facts/pending-handlers.js";
import type { HostPlan } from "../plan/build.js";
import { writeScript } from "../resources/file.js";
import type { Change, Step } from "../resources/types.js";
import { CONFIRM_GRACE_MS, guardedFirewallStep } from "./firewall-step.js";

export type ApplyEvent =
  | { type: "apply_start"; host: string; change: Change; step: Step; index: number; total: number }
  | { type: "apply_complete"; host: string; change: Change; step: Step; elapsedMs: number }
  /** Every few seconds while a step runs: it is alive, and what it printed last. */
  | {
      type: "apply_progress";
      host: string;
      change: Change;
      step: Step;
      elapsedMs: number;
      lastLine?: string;
    }
  | {
      type: "apply_errored";
      host: string;
      change: Change;
      step: Step;
      code: number;
      stderr: string;
      stdout: string;
    };

export interface ApplyResult {
  host: string;
  ok: boolean;
  applied: number;
  /** Steps in the plan. */
  total?: number;
  /** Stopped before a step because `shouldStop` said so (--fail-fast after another host failed). */
  stopped?: boolean;
  failed?: { change: Change; step: Step; code: number; stderr: string; stdout: string };
}

/**
 * Said of a step whose connection died: it may have run in part, or not at all. Steps are built
 * to be run again, so applying again finishes the job.
 */
export function connectionLostNote(host: string): string {
  return `the SSH connection to ${host} was lost during this step: the host may be partly changed. Run \`provision apply\` again: it continues from where the host is.`;
}

/** An exec that cannot run (the connection is gone, or it timed out) as a failed result. */
async function execOrFailure(
  conn: Connector,
  script: string,
  opts?: Parameters<Connector["exec"]>[1],
): Promise<ExecResult> {
  try {
    return await conn.exec(script, opts);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { code: -1, stdout: "", stderr: `${why}\n`, connectionLost: true };
  }
}

/** No fixed limit on a step (a pip build takes many minutes on a small host), only on silence. */
export const STEP_IDLE_TIMEOUT_MS = 30 * 60_000;
export const HEARTBEAT_MS = 5_000;

/** A failed clearing of handlers says what did happen: the step itself ran. */
function notCleared(r: ExecResult, what: string): ExecResult {
  const sep = r.stderr === "" || r.stderr.endsWith("\n") ? "" : "\n";
  return { ...r, stderr: `${r.stderr}${sep}${what}\n` };
}

export async function applyPlan(
  conn: Connector,
  plan: HostPlan,
  onEvent: (e: ApplyEvent) => void,
  opts: {
    heartbeatMs?: number;
    shouldStop?: () => boolean;
    /** Opens a new connection to the host: confirms new firewall rules (firewall-rollback.ts). */
    newConnection?: () => Promise<Connector>;
    /** What each step's script starts with: registerStepScript(ApplyLock.holder) of this apply's
     *  lock (apply/lock.ts), which ends a step cut off from its session. */
    stepPrefix: string;
  },
): Promise<ApplyResult> {
  const steps = plan.changes.flatMap((change) => change.steps.map((step) => ({ change, step })));
  const total = steps.length;
  let applied = 0;
  /** Names this apply on the host: its firewall steps are rolled back together. */
  const run = `${process.pid}-${Date.now()}`;
  // The steps and the clearing of their handlers: one that starts late, after the session ended,
  // stops rather than touch the next apply's records. In a subshell: the script's own traps and
  // exits leave the registration's trap alone. Not the immediate rollback of a failed firewall
  // step (firewall-step.ts): registered, it would be ended with the session midway through
  // restoring the rules, after its claim had already turned the timer's rollback off.
  const underLock = (body: string) => `${opts.stepPrefix}\n(\n${body}\n)`;
  const failed = (r: ExecResult, change: Change, step: Step): ApplyResult => {
    const { code, stdout } = r;
    const stderr = r.connectionLost ? `${r.stderr}${connectionLostNote(plan.host)}\n` : r.stderr;
    onEvent({ type: "apply_errored", host: plan.host, change, step, code, stderr, stdout });
    return {
      host: plan.host,
      ok: false,
      applied,
      total,
      failed: { change, step, code, stderr, stdout },
    };
  };
  for (const [i, { change, step }] of steps.entries()) {
    if (opts.shouldStop?.()) return { host: plan.host, ok: false, applied, total, stopped: true };
    onEvent({
      type: "apply_start",
      host: plan.host,
      change,
      step,
      index: i + 1,
      total: steps.length,
    });
    const t0 = Date.now();
    const body =
      step.kind === "write"
        ? writeScript(step.path, step.content, step.owner, step.group, step.mode)
        : step.script;
    // Its handlers are due before anything of a notifying change is applied: an apply that
    // stops after this step leaves them recorded, and the next plan runs them.
    const firstOfNotifying = change.notify.length > 0 && step === change.steps[0];
    const recorded = firstOfNotifying
      ? `${recordPendingScript(change.notify.map((h) => pendingKey(change.recipe, h)))}\n${body}`
      : body;
    const firewall =
      // The firewall script's write too: the state saved before it is what a rollback (or the
      // boot after an unconfirmed change) puts back, script file included.
      change.firewall === true && opts.newConnection
        ? guardedFirewallStep(
            conn,
            opts.newConnection,
            `${run}-${i}`,
            plan.firewallConfirmSeconds,
            CONFIRM_GRACE_MS,
            run,
          )
        : undefined;
    const script = underLock(firewall ? firewall.arm(recorded) : recorded);
    let lastLine: string | undefined;
    const beat = setInterval(() => {
      onEvent({
        type: "apply_progress",
        host: plan.host,
        change,
        step,
        elapsedMs: Date.now() - t0,
        ...(lastLine !== undefined ? { lastLine } : {}),
      });
    }, opts.heartbeatMs ?? HEARTBEAT_MS);
    const r = await execOrFailure(conn, `${script}\n`, {
      idleTimeoutMs: STEP_IDLE_TIMEOUT_MS,
      onOutput: (line) => {
        lastLine = line;
      },
    }).finally(() => clearInterval(beat));
    const outcome = firewall ? await firewall.settle(r) : r;
    if (outcome.code !== 0) return failed(outcome, change, step);
    if (change.handler && step === change.steps.at(-1)) {
      const cleared = await execOrFailure(
        conn,
        underLock(clearPendingScript(pendingKey(change.recipe, change.handler))),
      );
      if (cleared.code !== 0)
        return failed(
          notCleared(cleared, "the step ran; its handler stays due, and the next apply runs it"),
          change,
          step,
        );
    }
    applied++;
    onEvent({ type: "apply_complete", host: plan.host, change, step, elapsedMs: Date.now() - t0 });
  }
  // Every notified or pending handler ran, or the plan started its service anew.
  if (applied > 0) {
    const cleared = await execOrFailure(conn, underLock(clearAllPendingScript));
    if (cleared.code !== 0) {
      const last = steps.at(-1);
      if (last)
        return failed(
          notCleared(
            cleared,
            "every step ran; the handlers stay due, and the next apply runs them",
          ),
          last.change,
          last.step,
        );
    }
  }
  return { host: plan.host, ok: true, applied, total };
}
