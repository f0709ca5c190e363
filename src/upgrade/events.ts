// What upgrade-postgres reports as it goes; views render these as text or NDJSON.

export interface PhaseInfo {
  name: string;
  description: string;
  done: boolean;
}

export type UpgradeEvent =
  | {
      type: "upgrade_plan";
      host: string;
      from: number;
      to: number;
      dataDir: string;
      keptDir: string;
      dataKb: number;
      freeKb: number;
      needKb: number;
      dumpDir: string;
      stateDir: string;
      resumeAfter?: string;
      notes: string[];
      phases: PhaseInfo[];
    }
  | {
      type: "upgrade_phase";
      host: string;
      index: number;
      total: number;
      name: string;
      description: string;
      status: "started" | "completed" | "failed";
      output: string[];
      exitCode?: number;
    }
  | { type: "upgrade_rollback"; host: string; status: "started" | "completed"; reason: string }
  | {
      type: "rollback_plan";
      host: string;
      from: number;
      to: number;
      /** The new cluster held verified data (and maybe clients' writes since). */
      afterVerification: boolean;
      steps: string[];
    }
  | { type: "cleanup_plan"; host: string; remove: { path: string; kb: number }[] }
  | {
      type: "upgrade_result";
      host: string;
      outcome: "upgraded" | "already_upgraded" | "rolled_back" | "cleaned_up" | "cancelled";
      message: string;
    };

export type Emit = (event: UpgradeEvent) => void;
