// provision backup as human text or NDJSON events.
import type { BackupEvent } from "../ops/events.js";
import type { Output } from "./output.js";

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export const secs = (s: number) => `${s.toFixed(1)} s`;

function backupMessage(e: BackupEvent): string {
  switch (e.type) {
    case "backup_start":
      return `${e.host}: backing up into ${e.dir}`;
    case "backup_file":
      return `${e.host}: ${e.name} ${humanSize(e.size)} (${secs(e.seconds)})`;
    case "backup_complete":
      return `${e.host}: backup complete in ${secs(e.seconds)}: ${e.dir}`;
  }
}

export function backupView(out: Output): (e: BackupEvent) => void {
  return (e) => {
    const text = backupMessage(e);
    if (out.options.json) {
      const { type, ...fields } = e;
      out.event("info", text, type, fields);
      return;
    }
    if (e.type === "backup_complete") {
      out.line(out.paint("green", text));
      out.line(
        `  ${e.tables} tables, ${e.rows} rows; ${e.mediaFiles} media files; signing key ${e.signingKeyId}`,
      );
      out.line(
        `  rows of ${e.excludedTableData.join(", ")} left out, as Synapse's backup advice says`,
      );
      out.line(
        `  the secrets store keeps the values of ${e.secretsInStore.join(", ")}: back it up with its identity`,
      );
      return;
    }
    if (e.type === "backup_start" && e.synapseStopped) {
      out.line(text);
      out.line(
        "  Synapse stops while the database is dumped, so the dump and its row counts agree",
      );
      return;
    }
    out.line(text);
  };
}
