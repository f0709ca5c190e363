// What backup and restore report as they go; the views render them as text or NDJSON.
import type { SshConnector } from "../connector/ssh.js";
import type { Connector } from "../connector/types.js";

export type BackupEvent =
  | { type: "backup_start"; host: string; dir: string; synapseStopped: boolean }
  | { type: "backup_file"; host: string; name: string; size: number; seconds: number }
  | {
      type: "backup_complete";
      host: string;
      dir: string;
      tables: number;
      rows: number;
      mediaFiles: number;
      signingKeyId: string;
      excludedTableData: string[];
      secretsInStore: string[];
      seconds: number;
    };

export interface RestorePlanItem {
  what: string;
  /** What happens to the host's current copy. */
  current: string;
}

export type RestoreEvent =
  | {
      type: "restore_plan";
      host: string;
      from: string;
      backupHost: string;
      created: string;
      items: RestorePlanItem[];
      warnings: string[];
    }
  | { type: "restore_step"; host: string; description: string; seconds: number }
  | {
      type: "restore_check";
      host: string;
      check: string;
      ok: boolean;
      /** Not compared: the host offers nothing to compare (ok is false, and no failure). */
      skipped: boolean;
      detail: string;
    }
  | { type: "restore_complete"; host: string; ok: boolean; seconds: number };

/** What backup and restore need of a connection (the SSH connector; tests give a fake). */
export interface DataConnector {
  readonly name: string;
  exec: Connector["exec"];
  execData: SshConnector["execData"];
}
