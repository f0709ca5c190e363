// What apply shows while it works, fed by its events (as Terraform's apply hooks feed its UI):
// progress per step, then per host the outcome; human text or --json events.
import type { ApplyEvent, ApplyResult } from "../apply/execute.js";
import { PROGRESS_EVERY_MS, progressLines, progressText } from "../apply/progress.js";
import type { HostDrift } from "../plan/saved.js";
import type { Change } from "../resources/types.js";
import { acmeHint } from "./acme-hints.js";
import { diagnosticEvent } from "./diagnostics.js";
import type { Output } from "./output.js";
import { changeSummaryEvent, stepText } from "./plan.js";
import { LiveBoard } from "./progress.js";

/** What became of one host: the rows of the summary table. */
export interface HostOutcome {
  host: string;
  result: "converged" | "failed" | "skipped";
  /** Steps applied, of `total` planned. */
  steps: number;
  total: number;
  ms: number;
  reason?: string;
}

export type ApplyViewEvent =
  | ApplyEvent
  | { type: "apply_cancelled" }
  /** A host failed before or outside its steps (unreachable, locked, its plan has errors). */
  | { type: "apply_host_failed"; host: string; reason: string; hint?: string }
  /** A saved plan no longer matches its hosts: nothing is applied. */
  | { type: "plan_stale"; file: string; drift: HostDrift[] }
  /** Every host's outcome, at the end. */
  | { type: "apply_summary"; hosts: HostOutcome[] }
  /** One host is done: all its steps, or up to the first that failed. */
  | { type: "apply_result"; result: ApplyResult; changes: Change[] };

/**
 * The view for one apply. `live` (a terminal, not CI): one line per host redrawn in place, the
 * rest printed above it. Otherwise (a log) each step is one line, and a long step says it is
 * still running every 30 s.
 */
export function applyView(out: Output, live: boolean): (e: ApplyViewEvent) => void {
  if (out.options.json) return (e) => applyJson(out, e);
  if (!live) return plainView(out);
  // A terminal that reports no size (0 columns) gets the classic 80.
  const board = new LiveBoard(out, () => process.stdout.columns || 80);
  return (e) => {
    switch (e.type) {
      case "apply_start":
        board.step(e.host, e.index, e.total, `${e.change.address}: ${stepText(e.step)}`);
        return;
      case "apply_complete":
        return;
      case "apply_progress":
        board.heartbeat(e.host, e.lastLine);
        return;
      case "apply_result":
        board.above(() => applyHuman(out, e));
        board.finish(
          e.result.host,
          e.result.ok,
          `${e.result.applied}/${e.result.total ?? e.result.applied} steps`,
        );
        return;
      case "apply_summary":
        board.stop();
        applyHuman(out, e);
        return;
      default:
        board.above(() => applyHuman(out, e));
    }
  };
}

/** A log: one line per step; a long step says it is alive every 30 s (no cursor movement). */
function plainView(out: Output): (e: ApplyViewEvent) => void {
  const throttle = progressLines(PROGRESS_EVERY_MS);
  return (e) => {
    if (e.type === "apply_start")
      out.line(`${e.host}: [${e.index}/${e.total}] ${e.change.address}: ${stepText(e.step)}`);
    if (e.type === "apply_start" || e.type === "apply_progress") {
      const progress = throttle(e);
      if (progress !== undefined) out.line(out.paint("dim", progress));
    } else applyHuman(out, e);
  };
}

function applyHuman(out: Output, e: ApplyViewEvent): void {
  switch (e.type) {
    case "apply_cancelled":
      out.line("Apply cancelled; nothing was changed.");
      return;
    case "apply_host_failed":
      out.error(`${out.paint("red", "error:")} ${e.reason}`);
      if (e.hint) out.error(`  ${e.hint}`);
      out.error(`Nothing was applied to ${e.host}.`);
      return;
    case "plan_stale":
      out.error(
        `${out.paint("red", "error:")} the saved plan ${e.file} is stale: nothing was applied`,
      );
      for (const l of staleDetail(e.drift)) out.error(`  ${l}`);
      return;
    case "apply_summary":
      for (const l of summaryTable(e.hosts, out)) out.line(l);
      return;
    case "apply_start":
    case "apply_complete":
    case "apply_progress":
    case "apply_errored":
      return; // told with the host's result, after its output
    case "apply_result": {
      const r = e.result;
      if (r.ok) {
        out.line(`${out.paint("green", "Apply complete")} for ${r.host}: ${r.applied} steps.`);
        return;
      }
      const f = r.failed;
      if (!f) return;
      out.error(
        `${out.paint("red", "Apply failed")} on ${r.host} at ${f.change.address}: ${stepText(f.step)} (exit ${f.code})`,
      );
      for (const l of failureDetail(r)) out.error(`  ${l}`);
    }
  }
}

function applyJson(out: Output, e: ApplyViewEvent): void {
  switch (e.type) {
    case "apply_cancelled":
      out.event("info", "Apply cancelled; nothing was changed.", "apply_cancelled");
      return;
    case "apply_progress":
      out.event("info", progressText(e), e.type, {
        host: e.host,
        resource: e.change.address,
        step: stepText(e.step),
        elapsed_ms: e.elapsedMs,
        ...(e.lastLine !== undefined ? { last_line: e.lastLine } : {}),
      });
      return;
    case "apply_host_failed":
      diagnosticEvent(
        out,
        {
          severity: "error",
          summary: `${e.reason}: nothing was applied to ${e.host}`,
          ...(e.hint ? { detail: e.hint } : {}),
        },
        e.host,
      );
      return;
    case "plan_stale":
      diagnosticEvent(out, {
        severity: "error",
        summary: `the saved plan ${e.file} is stale: nothing was applied`,
        detail: staleDetail(e.drift).join("\n"),
      });
      return;
    case "apply_summary": {
      const failed = e.hosts.filter((h) => h.result === "failed").length;
      out.event(failed > 0 ? "error" : "info", summaryHeadline(e.hosts), "apply_summary", {
        hosts: e.hosts.map((h) => ({
          host: h.host,
          result: h.result,
          steps: h.steps,
          total: h.total,
          elapsed_ms: h.ms,
          ...(h.reason ? { reason: h.reason } : {}),
        })),
      });
      return;
    }
    case "apply_start":
    case "apply_complete":
    case "apply_errored": {
      const base = { host: e.host, resource: e.change.address, step: stepText(e.step) };
      if (e.type === "apply_start")
        out.event("info", `${e.host}: ${e.change.address}: started`, e.type, {
          ...base,
          index: e.index,
          total: e.total,
        });
      else if (e.type === "apply_complete")
        out.event("info", `${e.host}: ${e.change.address}: done`, e.type, {
          ...base,
          elapsed_ms: e.elapsedMs,
        });
      else
        out.event("error", `${e.host}: ${e.change.address}: failed`, e.type, {
          ...base,
          exit_code: e.code,
          stderr: e.stderr.slice(-4000),
        });
      return;
    }
    case "apply_result": {
      const r = e.result;
      if (r.ok) {
        changeSummaryEvent(out, r.host, e.changes, "apply");
        return;
      }
      const f = r.failed;
      if (!f) return;
      diagnosticEvent(
        out,
        {
          severity: "error",
          summary: `Apply failed on ${r.host} at ${f.change.address}: ${stepText(f.step)} (exit ${f.code})`,
          detail: failureDetail(r).join("\n"),
        },
        r.host,
      );
    }
  }
}

/** The failed step's last lines of stderr, what to do about an ACME failure, how to go on. */
function failureDetail(r: ApplyResult): string[] {
  const f = r.failed;
  if (!f) return [];
  const lines = f.stderr.trim().split("\n").slice(-15);
  // ACME failures (account, issuance) come with what to do about them.
  const hint = /^(certificate|command)$/.test(f.change.type)
    ? acmeHint(`${f.stderr}\n${f.stdout}`)
    : undefined;
  if (hint) lines.push(hint);
  lines.push(
    `${r.applied} steps before it were applied and are kept. Fix the cause, then run \`provision apply\` again: it continues from what is done.`,
  );
  return lines;
}

function staleDetail(drift: HostDrift[]): string[] {
  const lines: string[] = [];
  for (const d of drift) {
    lines.push(`${d.host} changed since the plan was made:`);
    for (const f of d.facts.slice(0, 20)) lines.push(`  ${f}`);
    if (d.facts.length > 20) lines.push(`  ... and ${d.facts.length - 20} more`);
    if (d.changesDiffer && d.facts.length === 0)
      lines.push("  its changes differ (the inventory, secrets or templates changed)");
  }
  lines.push("Make a new plan with `provision plan --out FILE`, review it, and apply that.");
  return lines;
}

export function summaryHeadline(hosts: HostOutcome[]): string {
  const count = (r: HostOutcome["result"]) => hosts.filter((h) => h.result === r).length;
  return `${count("converged")} converged, ${count("failed")} failed, ${count("skipped")} skipped.`;
}

/** The end of an apply: one row per host (host, result, steps, time, why). */
export function summaryTable(hosts: HostOutcome[], out: Output): string[] {
  const rows = hosts.map((h) => [
    h.host,
    h.result,
    `${h.steps}/${h.total}`,
    `${(h.ms / 1000).toFixed(1)} s`,
    h.reason ?? "",
  ]);
  const head = ["HOST", "RESULT", "STEPS", "TIME", ""];
  const widths = head.map((t, i) =>
    Math.max(t.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const color = { converged: "green", failed: "red", skipped: "yellow" } as const;
  const fmt = (r: string[], paint?: HostOutcome["result"]) =>
    r
      .map((c, i) => {
        const cell = i === 4 ? c : c.padEnd(widths[i] as number);
        return i === 1 && paint ? out.paint(color[paint], cell) : cell;
      })
      .join("  ")
      .trimEnd();
  return [
    "",
    `Summary: ${summaryHeadline(hosts)}`,
    `  ${fmt(head)}`,
    ...rows.map((r, i) => `  ${fmt(r, hosts[i]?.result)}`),
  ];
}
