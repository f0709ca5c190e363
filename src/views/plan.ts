// Human and JSON views of the same plan data.

import type { Diagnostic } from "../diagnostics.js";
import { summarize } from "../plan/build.js";
import type { HostSession } from "../plan/session.js";
import type { Change, Step } from "../resources/types.js";
import { diagnosticJson, formatDiagnostic } from "./diagnostics.js";
import type { Output } from "./output.js";

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
  for (const n of plan.notes) out.line(out.paint("dim", `  ${n}`));
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

/** NDJSON events, one per line: planned_change, diagnostic, change_summary. */
export function renderPlanJson(out: Output, hosts: HostSession[], diagnostics: Diagnostic[]): void {
  for (const d of diagnostics)
    out.json({
      "@level": d.severity,
      "@message": d.summary,
      type: "diagnostic",
      diagnostic: diagnosticJson(d),
    });
  for (const hs of hosts) {
    if (hs.error) {
      out.json({
        "@level": "error",
        "@message": hs.error.message,
        type: "diagnostic",
        host: hs.host.name,
        diagnostic: { severity: "error", summary: hs.error.message, detail: hs.error.hint ?? "" },
      });
      continue;
    }
    for (const d of hs.plan.diagnostics) {
      out.json({
        "@level": d.severity,
        "@message": d.summary,
        type: "diagnostic",
        host: hs.host.name,
        diagnostic: diagnosticJson(d),
      });
    }
    for (const c of hs.plan.changes) {
      out.json({
        "@level": "info",
        "@message": `${hs.host.name}: ${c.address}: Plan to ${c.action}`,
        type: "planned_change",
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
    for (const n of hs.plan.notes)
      out.json({
        "@level": "info",
        "@message": `${hs.host.name}: ${n}`,
        type: "note",
        host: hs.host.name,
        note: n,
      });
    const s = summarize(hs.plan.changes);
    out.json({
      "@level": "info",
      "@message": `${hs.host.name}: ${summaryLine(hs.plan.changes)}`,
      type: "change_summary",
      host: hs.host.name,
      changes: { add: s.add, change: s.change, remove: s.remove, operation: "plan" },
    });
  }
}
