// What apply shows while it works, fed by its events (as Terraform's apply hooks feed its UI):
// progress per step, then per host the outcome; human text or --json events.
import type { ApplyEvent, ApplyResult } from "../apply/execute.js";
import { PROGRESS_EVERY_MS, progressLines, progressText } from "../apply/progress.js";
import type { Change } from "../resources/types.js";
import { acmeHint } from "./acme-hints.js";
import { diagnosticEvent } from "./diagnostics.js";
import type { Output } from "./output.js";
import { changeSummaryEvent, stepText } from "./plan.js";

export type ApplyViewEvent =
  | ApplyEvent
  /** The plan has errors: nothing is applied anywhere. */
  | { type: "apply_blocked" }
  | { type: "apply_cancelled" }
  /** One host is done: all its steps, or up to the first that failed. */
  | { type: "apply_result"; result: ApplyResult; changes: Change[] };

/**
 * The view for one apply. `live` (a terminal) shows each step as it starts and when it is done;
 * otherwise (a log) each step is one line.
 */
export function applyView(out: Output, live: boolean): (e: ApplyViewEvent) => void {
  if (out.options.json) return (e) => applyJson(out, e);
  // A long step shows it is alive: a plain line (no cursor movement) every 30 s per host.
  const throttle = progressLines(PROGRESS_EVERY_MS);
  return (e) => {
    if (e.type !== "apply_blocked" && e.type !== "apply_cancelled" && e.type !== "apply_result") {
      const progress = throttle(e);
      if (progress !== undefined) out.line(out.paint("dim", progress));
    }
    applyHuman(out, live, e);
  };
}

function applyHuman(out: Output, live: boolean, e: ApplyViewEvent): void {
  switch (e.type) {
    case "apply_progress":
      return; // throttled above
    case "apply_blocked":
      out.error("Nothing was applied: fix the errors above first.");
      return;
    case "apply_cancelled":
      out.line("Apply cancelled; nothing was changed.");
      return;
    case "apply_start": {
      const text = `${e.host}: [${e.index}/${e.total}] ${e.change.address}: ${stepText(e.step)}`;
      out.line(live ? out.paint("dim", `${text} ...`) : text);
      return;
    }
    case "apply_complete":
      if (live)
        out.line(
          `${e.host}:   ${out.paint("green", "done")} (${(e.elapsedMs / 1000).toFixed(1)} s)`,
        );
      return;
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
    case "apply_blocked":
      diagnosticEvent(out, {
        severity: "error",
        summary: "Nothing was applied: fix the errors above first.",
      });
      return;
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
