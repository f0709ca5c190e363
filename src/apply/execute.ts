// Applying is the only side effect: the plan's steps, in order, stopping at the first failure.
import type { Connector } from "../connector/types.js";
import type { HostPlan } from "../plan/build.js";
import { writeScript } from "../resources/file.js";
import type { Change, Step } from "../resources/types.js";

export type ApplyEvent =
  | { type: "apply_start"; host: string; change: Change; step: Step; index: number; total: number }
  | { type: "apply_complete"; host: string; change: Change; step: Step; elapsedMs: number }
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

export async function applyPlan(
  conn: Connector,
  plan: HostPlan,
  onEvent: (e: ApplyEvent) => void,
  shouldStop: () => boolean = () => false,
): Promise<ApplyResult> {
  const steps = plan.changes.flatMap((change) => change.steps.map((step) => ({ change, step })));
  const total = steps.length;
  let applied = 0;
  for (const [i, { change, step }] of steps.entries()) {
    if (shouldStop()) return { host: plan.host, ok: false, applied, total, stopped: true };
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
    const r = await conn.exec(`${script}\n`, { timeoutMs: 30 * 60_000 });
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
