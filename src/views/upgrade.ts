// upgrade-postgres as human text or NDJSON events (the same envelope as the plan's JSON).
import type { UpgradeEvent } from "../upgrade/events.js";
import type { Output } from "./output.js";

const mib = (kb: number) => `${Math.round(kb / 1024)} MiB`;

/** One line summing up an event, for the human view's headings and the JSON "@message". */
export function upgradeMessage(e: UpgradeEvent): string {
  switch (e.type) {
    case "upgrade_plan":
      return `${e.host}: PostgreSQL ${e.from} -> ${e.to}`;
    case "upgrade_phase":
      return `${e.host}: [${e.index + 1}/${e.total}] ${e.description}: ${e.status}`;
    case "upgrade_rollback":
      return `${e.host}: rollback ${e.status}: ${e.reason}`;
    case "rollback_plan":
      return `${e.host}: roll back from PostgreSQL ${e.to} to ${e.from}`;
    case "cleanup_plan":
      return `${e.host}: remove ${e.remove.map((r) => r.path).join(", ")}`;
    case "upgrade_result":
      return `${e.host}: ${e.message}`;
  }
}

function renderHuman(out: Output, e: UpgradeEvent): void {
  const h = e.host;
  switch (e.type) {
    case "upgrade_plan":
      out.line(out.paint("bold", upgradeMessage(e)));
      out.line(
        `  data ${e.dataDir} (${mib(e.dataKb)}), ${mib(e.freeKb)} free, about ${mib(e.needKb)} needed`,
      );
      out.line(
        `  dump in ${e.dumpDir}, state in ${e.stateDir}; the old data directory is kept as ${e.keptDir}`,
      );
      for (const n of e.notes) out.line(`  ${n}`);
      if (e.resumeAfter) out.line(`  resuming after phase '${e.resumeAfter}'`);
      for (const [i, ph] of e.phases.entries())
        out.line(`  ${ph.done ? "✓" : `${i + 1}.`} ${ph.description}`);
      return;
    case "upgrade_phase":
      if (e.status === "started") out.line(`${h}: [${e.index + 1}/${e.total}] ${e.description}`);
      for (const l of e.output) out.line(`${h}:     ${l}`);
      if (e.status === "failed")
        out.line(out.paint("red", `${h}: phase '${e.name}' failed (exit ${e.exitCode})`));
      return;
    case "upgrade_rollback":
      out.line(
        e.status === "started"
          ? `${h}: rolling back to the old server and data directory (${e.reason})...`
          : `${h}: rolled back (${e.reason})`,
      );
      return;
    case "rollback_plan":
      out.line(out.paint("bold", upgradeMessage(e)));
      if (e.afterVerification)
        out.line(
          out.paint(
            "yellow",
            `  PostgreSQL ${e.to} was verified and may hold writes made since the upgrade: they are not in the old cluster.`,
          ),
        );
      for (const [i, s] of e.steps.entries()) out.line(`  ${i + 1}. ${s}`);
      return;
    case "cleanup_plan":
      out.line(out.paint("bold", `${h}: remove what the finished upgrade left`));
      for (const r of e.remove) out.line(`  - ${r.path} (${mib(r.kb)})`);
      return;
    case "upgrade_result":
      out.line(`${h}: ${e.message}`);
      return;
  }
}

/** The event sink for a command run: text on a terminal, NDJSON with --json. */
export function upgradeView(out: Output): (e: UpgradeEvent) => void {
  if (!out.options.json) return (e) => renderHuman(out, e);
  return (e) => {
    const level = e.type === "upgrade_phase" && e.status === "failed" ? "error" : "info";
    const { type, ...fields } = e;
    out.event(level, upgradeMessage(e), type, fields);
  };
}
