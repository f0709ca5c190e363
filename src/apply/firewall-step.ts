// One step that changes the rules in force, under the automatic rollback of firewall-rollback.ts:
// armed in the step's own script, confirmed over a new connection, restored at once if the step
// failed, and reported when new connections were refused.
import type { Connector, ExecResult } from "../connector/types.js";
import {
  armScript,
  confirmScript,
  FIREWALL_DIR,
  FIREWALL_ROLLBACK_SECONDS,
  outcomeScript,
  rollbackNowScript,
} from "./firewall-rollback.js";

const POLL_MS = 2_000;

/** What an operator does when the saved firewall could not be put back. */
const AFTER_FAILED_RESTORE = `log in (or use the console), read ${FIREWALL_DIR}/rollback.log and \`ipfw list\`, fix what it names, then run \`sh ${FIREWALL_DIR}/restore ${FIREWALL_DIR}/snapshot\` to put back the firewall confirmed last`;

/** How an outcome line of the host reads to the operator. */
function restored(outcome: string, how: string): string {
  return outcome.startsWith("rollback failed")
    ? `the previous firewall rules could NOT be restored (${outcome}): the firewall may be neither the old nor the new one; ${AFTER_FAILED_RESTORE}`
    : `the previous firewall rules were restored${how} (${outcome})`;
}
/** A confirmation: answered now (`confirmed`) or recorded on the host (`confirmed TIME`). */
const isConfirmed = (said: string) => said === "confirmed" || said.startsWith("confirmed ");
/** New connections tried for a confirmation within the window. */
const CONFIRM_ATTEMPTS = 3;
/** Beyond the timeout, how long a confirmation may still take: SSH's own login limit (20 s). */
export const CONFIRM_GRACE_MS = 25_000;

export function guardedFirewallStep(
  conn: Connector,
  newConnection: () => Promise<Connector>,
  token: string,
  seconds = FIREWALL_ROLLBACK_SECONDS,
  graceMs = CONFIRM_GRACE_MS,
  /** The apply this step is part of: a rollback takes back all of its firewall steps. */
  run = token,
) {
  /** Cancels the timer over a connection opened now; a confirmation given up on still closes. */
  const confirmOverNewConnection = async (): Promise<string> => {
    const fresh = await newConnection();
    try {
      return (await fresh.exec(confirmScript(token))).stdout.trim();
    } finally {
      await fresh.close();
    }
  };
  /**
   * A connection that broke (before login, or before its answer came) is tried again while the
   * window lasts, up to CONFIRM_ATTEMPTS times with a growing pause: one dropped handshake must
   * not cost the new rules. A retry after the timer fired reads its outcome instead.
   */
  const confirm = async (): Promise<string> => {
    const until = Date.now() + seconds * 1000;
    for (let attempt = 1, pause = 1000; ; attempt++, pause *= 2) {
      try {
        return await confirmOverNewConnection();
      } catch (err) {
        if (attempt >= CONFIRM_ATTEMPTS || Date.now() + pause >= until) throw err;
        await new Promise((done) => setTimeout(done, pause));
      }
    }
  };
  return {
    arm: (script: string) => `${armScript(token, seconds, run)}\n${script}`,
    /** The step's result once the new rules are confirmed, or why they were rolled back. */
    async settle(r: ExecResult): Promise<ExecResult> {
      if (r.code !== 0) {
        const back = (
          await conn.exec(rollbackNowScript(token)).catch(() => undefined)
        )?.stdout.trim();
        const told =
          back === "not armed"
            ? "the firewall was not changed: its automatic rollback could not be armed"
            : back
              ? restored(back, "")
              : `the previous firewall rules come back within ${seconds} s`;
        return {
          ...r,
          stderr: `${r.stderr}${r.stderr.endsWith("\n") || !r.stderr ? "" : "\n"}${told}\n`,
        };
      }
      let why: string;
      try {
        const said = await withinMs(seconds * 1000 + graceMs, confirm());
        if (said !== undefined && isConfirmed(said)) return r;
        why =
          said === undefined
            ? `a new SSH connection did not confirm them within ${Math.round(seconds + graceMs / 1000)} s`
            : `the confirmation came too late (${said})`;
      } catch (err) {
        why = `a new SSH connection failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      const outcome = await waitForRollback(conn, token, seconds);
      // Confirmed by a connection whose answer never reached us: the new rules let it in.
      if (outcome && isConfirmed(outcome)) return r;
      return {
        code: 1,
        stdout: r.stdout,
        stderr: `the new firewall rules were not confirmed: ${why}\n${
          outcome
            ? restored(outcome, " automatically")
            : `the previous firewall rules come back ${seconds} s after loading (automatic rollback); check with \`ipfw list\``
        }\n`,
      };
    },
  };
}

/** What the confirmation answered, or undefined when it did not finish in time. */
async function withinMs<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((done) => {
    timer = setTimeout(() => done(undefined), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls, over the connection that is still open, until the timer restored the old rules or failed
 * to, or the host shows a confirmation.
 */
async function waitForRollback(
  conn: Connector,
  token: string,
  seconds: number,
): Promise<string | undefined> {
  const end = Date.now() + (seconds + 15) * 1000;
  while (Date.now() < end) {
    const r = await conn.exec(outcomeScript(token)).catch(() => undefined);
    if (!r) return undefined;
    const said = r.stdout.trim();
    if (said.startsWith("rolled back") || said.startsWith("rollback failed") || isConfirmed(said))
      return said;
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  return undefined;
}
