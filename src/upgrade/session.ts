// What the upgrade's operations (upgrade, rollback, cleanup) get from the command.
import type { Connector } from "../connector/types.js";
import { UserError } from "../errors.js";
import type { Emit } from "./events.js";
import { locked } from "./shell.js";

export interface UpgradeSession {
  conn: Connector;
  host: string;
  emit: Emit;
  /** Asks before something destructive (true when --yes); false cancels. */
  confirm: (question: string) => Promise<boolean>;
  /** Root's state directory on the host (PATHS.upgradeStateDir). */
  stateDir: string;
}

const LONG = 6 * 3600_000;

/** Runs a script under the upgrade lock; another run holding it is a clear error. */
export async function execLocked(s: UpgradeSession, script: string) {
  const r = await s.conn.exec(locked(script), { timeoutMs: LONG });
  if (r.code === 75)
    throw new UserError(`another upgrade step is still running on ${s.host}`, {
      hint: "Wait for it to end, then run the same command again: it resumes.",
    });
  return r;
}

export const lastLines = (text: string, n: number) =>
  text.trim().split("\n").filter(Boolean).slice(-n);
