// Human and JSON views of the same plan data (plan shows it; apply shows it before asking).

import type { Diagnostic } from "../diagnostics.js";
import { summarize } from "../plan/build.js";
import type { HostSession } from "../plan/session.js";
import type { Change, Step } from "../resources/types.js";
import { acmeHint } from "./acme-hints.js";
import { diagnosticEvent, formatDiagnostic, stopDiagnostic } from "./diagnostics.js";
import type { Output } from "./output.js";

export interface PlanData {
  hosts: HostSession[];
  /** About the inventory as a whole (warnings: errors stop before planning). */
  diagnostics: Diagnostic[];
}

/** The whole plan: human text, or NDJSON events with --json. */
export function renderPlan(
  out: Output,
  data: PlanData,
  opts: { assumeFresh?: boolean } = {},
): void {
  if (out.options.json) {
    renderPlanJson(out, data.hosts, data.diagnostics);
    return;
  }
  for (const d of data.diagnostics) out.line(formatDiagnostic(d, out));
  if (data.diagnostics.length > 0) out.line("");
  if (opts.assumeFresh)
    out.line(
      out.paint(
        "dim",
        "Planned against a blank FreeBSD host (--assume-fresh): nothing was contacted.\n",
      ),
    );
  for (const hs of data.hosts) renderHostPlan(out, hs);
}

const SYMBOL = { create: "+", update: "~", delete: "-" } as const;

export function stepText(step: Step): string {
  if (step.kind === "write") return `write ${step.path} (${step.owner}:${step.group} ${step.mode})`;
  const lines = step.script.trim().split("\n");
  return lines.length === 1
    ? `$ ${lines[0]}`
    : `$ ${step.description} (${lines.length}-line script)`;
}

function paintDiff(out: Output, line: string): string {
  if (line.startsWith("+")) return out.paint("green", line);
  if (line.startsWith("-")) return out.paint("red", line);
  if (line.startsWith("@@")) return out.paint("cyan", line);
  return line;
}

export function renderChange(out: Output, c: Change): void {
  const color = c.action === "create" ? "green" : c.action === "delete" ? "red" : "yellow";
  out.line(
    `  ${out.paint(color, SYMBOL[c.action])} ${out.paint("bold", c.address)}  ${out.paint("dim", c.summary)}`,
  );
  if (c.sensitive && c.steps.some((s) => s.kind === "write"))
    out.line(
      out.paint(
        "dim",
        c.diff
          ? "      (holds secrets: values masked)"
          : "      (holds secrets: content not shown)",
      ),
    );
  if (c.diff) for (const l of c.diff.split("\n")) out.line(`      ${paintDiff(out, l)}`);
  for (const s of c.steps) out.line(out.paint("dim", `      ${stepText(s)}`));
}

export function summaryLine(changes: Change[]): string {
  const s = summarize(changes);
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.remove} to destroy.`;
}

export function renderHostPlan(out: Output, hs: HostSession): void {
  const { plan } = hs;
  out.line(
    out.paint("bold", `${plan.host} (${plan.address}${plan.system ? `, ${plan.system}` : ""})`),
  );
  if (hs.error) {
    out.line(`  ${out.paint("red", "error:")} ${hs.error.message}`);
    if (hs.error.hint) out.line(`  ${hs.error.hint}`);
    out.line("");
    return;
  }
  for (const d of plan.diagnostics) out.line(`  ${formatDiagnostic(d, out)}`);
  for (const n of plan.notes) {
    out.line(out.paint("dim", `  ${n}`));
    // A certificate note that carries an ACME failure says what to do about it.
    const hint = acmeHint(n);
    if (hint) out.line(`    ${hint}`);
  }
  if (plan.changes.length === 0) {
    out.line(`  No changes. ${plan.host} matches the inventory.`);
    out.line("");
    return;
  }
  out.line("");
  let recipe = "";
  for (const c of plan.changes) {
    if (c.recipe !== recipe) {
      recipe = c.recipe;
      out.line(out.paint("dim", `  # ${recipe}`));
    }
    renderChange(out, c);
  }
  out.line("");
  out.line(`  ${summaryLine(plan.changes)}`);
  out.line("");
}

/** NDJSON events, one per line: diagnostic, planned_change, note, change_summary. */
function renderPlanJson(out: Output, hosts: HostSession[], diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) diagnosticEvent(out, d);
  for (const hs of hosts) {
    if (hs.error) {
      diagnosticEvent(out, stopDiagnostic(hs.error.message, hs.error.hint), hs.host.name);
      continue;
    }
    for (const d of hs.plan.diagnostics) diagnosticEvent(out, d, hs.host.name);
    for (const c of hs.plan.changes) {
      out.event("info", `${hs.host.name}: ${c.address}: Plan to ${c.action}`, "planned_change", {
        host: hs.host.name,
        change: {
          resource: {
            addr: c.address,
            resource_type: c.type,
            resource_name: c.name,
            recipe: c.recipe,
          },
          action: c.action,
          summary: c.summary,
          ...(c.diff ? { diff: c.diff } : {}),
          ...(c.sensitive ? { sensitive: true } : {}),
          steps: c.steps.map(stepText),
        },
      });
    }
    for (const n of hs.plan.notes) {
      const hint = acmeHint(n);
      out.event("info", `${hs.host.name}: ${n}`, "note", {
        host: hs.host.name,
        note: n,
        ...(hint ? { hint } : {}),
      });
    }
    changeSummaryEvent(out, hs.host.name, hs.plan.changes, "plan");
  }
}

/** Terraform's change_summary: what a host's plan holds, or what apply did with it. */
export function changeSummaryEvent(
  out: Output,
  host: string,
  changes: Change[],
  operation: "plan" | "apply",
): void {
  const s = summarize(changes);
  const message =
    operation === "plan"
      ? summaryLine(changes)
      : `Apply complete: ${s.add} added, ${s.change} changed, ${s.remove} destroyed.`;
  out.event("info", `${host}: ${message}`, "change_summary", {
    host,
    changes: { add: s.add, change: s.change, remove: s.remove, operation },
  });
}

/** `plan --out FILE`: where the plan went and how to apply it. */
export function planSavedView(out: Output, file: string): void {
  const message = `Saved the plan to ${file}: apply exactly this with \`provision apply ${file}\`.`;
  if (out.options.json) out.event("info", message, "plan_saved", { path: file });
  else out.line(message);
}
