// provision restore as human text or NDJSON events.
import type { RestoreEvent } from "../ops/events.js";
import { secs } from "./backup.js";
import type { Output } from "./output.js";

function restoreMessage(e: RestoreEvent): string {
  switch (e.type) {
    case "restore_plan":
      return `${e.host}: restore the backup of ${e.backupHost} taken ${e.created}`;
    case "restore_step":
      return `${e.host}: ${e.description} (${secs(e.seconds)})`;
    case "restore_check":
      return `${e.host}: ${e.check}: ${e.ok ? "ok" : e.skipped ? "not compared" : "FAILED"}: ${e.detail}`;
    case "restore_complete":
      return e.ok
        ? `${e.host}: restored and verified in ${secs(e.seconds)}`
        : `${e.host}: restored, but verification failed (${secs(e.seconds)})`;
  }
}

export function restoreView(out: Output): (e: RestoreEvent) => void {
  return (e) => {
    const text = restoreMessage(e);
    if (out.options.json) {
      const level =
        e.type === "restore_check" && e.skipped
          ? "warning"
          : (e.type === "restore_check" || e.type === "restore_complete") && !e.ok
            ? "error"
            : "info";
      const { type, ...fields } = e;
      out.event(level, text, type, fields);
      return;
    }
    switch (e.type) {
      case "restore_plan":
        out.line(out.paint("bold", text));
        out.line(`  from ${e.from}`);
        for (const i of e.items) out.line(`  ~ ${i.what}: current ${i.current}`);
        for (const w of e.warnings) out.line(out.paint("yellow", `  warning: ${w}`));
        return;
      case "restore_check":
        out.line(out.paint(e.ok ? "green" : e.skipped ? "yellow" : "red", text));
        return;
      case "restore_complete":
        out.line(out.paint(e.ok ? "green" : "red", text));
        return;
      default:
        out.line(text);
    }
  };
}
