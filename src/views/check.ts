// provision check: one line per finding and a summary per host, or `check_result` events and one
// `check_summary` per host with --json.
import type { Finding, Status } from "../ops/check.js";
import type { Output } from "./output.js";

const PAINT = { ok: "green", warning: "yellow", critical: "red", unknown: "yellow" } as const;
const LEVEL = { ok: "info", warning: "warning", critical: "error", unknown: "warning" } as const;

export function checkView(out: Output) {
  return {
    findings(host: string, findings: readonly Finding[], status: Status, seconds: number): void {
      if (out.options.json) {
        for (const f of findings)
          out.event(LEVEL[f.status], `${host}: ${f.check}: ${f.detail}`, "check_result", {
            host,
            ...f,
          });
        out.event(LEVEL[status], `${host}: ${status.toUpperCase()}`, "check_summary", {
          host,
          status,
          seconds,
        });
        return;
      }
      out.line(out.paint("bold", `${host}: ${status.toUpperCase()} (${seconds.toFixed(1)} s)`));
      for (const f of findings)
        out.line(`  ${out.paint(PAINT[f.status], f.status.padEnd(8))} ${f.check}: ${f.detail}`);
    },
  };
}
