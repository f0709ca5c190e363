// Applying is the only side effect: the plan's steps, in order, stopping at the first failure.
import type { Connector } from "../connector/types.js";
import type { HostPlan } from "../plan/build.js";
import { writeScript } from "../resources/file.js";
import type { Change, Step } from "../resources/types.js";

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

/** No fixed limit on a step (a pip build takes many minutes on a small host), only on silence. */
export const STEP_IDLE_TIMEOUT_MS = 30 * 60_000;
export const HEARTBEAT_MS = 5_000;

export async function applyPlan(
  conn: Connector,
  plan: HostPlan,
  onEvent: (e: ApplyEvent) => void,
  opts: { heartbeatMs?: number; shouldStop?: () => boolean } = {},
): Promise<ApplyResult> {
  const steps = plan.changes.flatMap((change) => change.steps.map((step) => ({ change, step })));
  const total = steps.length;
  let applied = 0;
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
    const script =
      step.kind === "write"
        ? writeScript(step.path, step.content, step.owner, step.group, step.mode)
        : step.script;
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
    const r = await conn
      .exec(`${script}\n`, {
        idleTimeoutMs: STEP_IDLE_TIMEOUT_MS,
        onOutput: (line) => {
          lastLine = line;
        },
      })
      .finally(() => clearInterval(beat));
    if (r.code !== 0) {
      onEvent({
        type: "apply_errored",
        host: plan.host,
        change,
        step,
        code: r.code,
        stderr: r.stderr,
        stdout: r.stdout,
      });
      return {
        host: plan.host,
        ok: false,
        applied,
        total,
        failed: { change, step, code: r.code, stderr: r.stderr, stdout: r.stdout },
      };
    }
    applied++;
    onEvent({ type: "apply_complete", host: plan.host, change, step, elapsedMs: Date.now() - t0 });
  }
  return { host: plan.host, ok: true, applied, total };
}
