// The apply lock: lockf(1) on LOCK_FILE, held by a remote process whose standard input is this
// SSH session. When the CLI or its connection dies, sshd closes that input, the holder ends and
// lockf releases the lock: a killed apply never leaves the host locked. The file keeps the
// owner's details for the refusal message (a leftover file without a holder means nothing).
import { hostname, userInfo } from "node:os";
import { q } from "../connector/quote.js";
import type { Connector, HeldCommand } from "../connector/types.js";
import { UserError } from "../errors.js";

export const LOCK_FILE = "/var/run/provision.lock";
/** The process group of the step running now, one file per lock holder (`.PID`, the holder's pid
 *  on the host): a late step of a cut apply never touches the next apply's record. Removed when
 *  the step ends. */
export const STEP_PGID_FILE = "/var/run/provision.step";
export const stepRecordFile = (holder: number | string) => `${STEP_PGID_FILE}.${holder}`;
/**
 * Made by the lock holder when its session ends, before it looks for the step to end; removed by
 * the next holder before it says `taken`. A step that registers after that look (its shell was
 * starting as the session died) finds it and stops by itself; one later still, after the next
 * holder removed it, finds its own holder gone.
 */
export const SESSION_ENDED_FILE = "/var/run/provision.session-ended";

/**
 * Prefix of every step's script (the step itself then runs in a subshell): records its process
 * group, so that when the session dies the lock holder ends the step too, then stops at once if
 * the holder has already looked (the mark) or is gone: `holder`, its pid on the host, no longer
 * runs or no longer holds the lock (the lock file names whoever took it last; the next command
 * may have taken the lock and cleared the mark meanwhile, and a new process may have been given
 * the pid). A step cut off from its apply never runs beside the next one.
 */
export function registerStepScriptFor(
  pgidFile: string,
  endedFile: string,
  holder: number,
  lockFile: string,
): string {
  return [
    `ps -o pgid= -p $$ | tr -d ' ' > ${pgidFile}`,
    `trap 'rm -f ${pgidFile}' EXIT`,
    // The record goes first: with the session gone, the message's write may end this shell
    // (SIGPIPE) before its exit trap runs.
    `if [ -e ${endedFile} ] || ! kill -0 ${holder} 2>/dev/null || ! grep -qF ', process ${holder} on the host' ${lockFile} 2>/dev/null; then rm -f ${pgidFile}; echo "provision: the session that started this step has ended; the step does not run" >&2; exit 75; fi`,
  ].join("\n");
}

/** The step prefix on a host whose lock `holder` (the pid `taken` named) holds for this apply. */
export const registerStepScript = (holder: number) =>
  registerStepScriptFor(stepRecordFile(holder), SESSION_ENDED_FILE, holder, LOCK_FILE);

/** Held until release(); also released by the host when this connection goes away. */
export interface ApplyLock {
  release(): Promise<void>;
  /** The holder's pid on the host: a step checks it is still there (registerStepScript). */
  holder: number;
}

/** The lock as an older provision left it: a directory holding `owner`, never released by itself. */
const oldLockCheck = `if [ -d ${LOCK_FILE} ]; then printf 'stale-dir\\t%s\\n' "$(head -1 ${LOCK_FILE}/owner 2>/dev/null)"; exit 0; fi`;

/**
 * Ends the step still running and waits until all of its processes are gone (bounded: TERM, after
 * 10 s KILL, after 15 s on regardless), so that the next apply, which may take the lock the
 * moment this one lets go, never runs beside the rest of a cut step (a pip still writing into
 * the directory the rerun removes). `kill -SIG -PGID` without `--`: FreeBSD's kill (bin/kill/kill.c
 * reads a negative pid with strtol) and dash's builtin both take it; dash refuses `--`.
 */
export function endStepScript(pgidFile: string): string {
  return [
    `if [ -s ${pgidFile} ]; then`,
    `  g=$(cat ${pgidFile}); kill -TERM -"$g" 2>/dev/null; i=0`,
    `  while kill -0 -"$g" 2>/dev/null && [ $i -lt 150 ]; do`,
    `    i=$((i + 1)); [ $i -eq 100 ] && kill -KILL -"$g" 2>/dev/null; sleep 0.1`,
    "  done",
    `  rm -f ${pgidFile}`,
    "fi",
  ].join("\n");
}

/**
 * The holder writes who it is (and its own pid on the host), says `taken PID`, then waits on
 * stdin. At its end (released, or the session died) it ends a step still running, then lockf
 * lets go.
 */
export function takeLockScript(who: string): string {
  const holder = [
    `printf '%s, process %s on the host\\n' "$1" "$$" > "$2" && rm -f ${SESSION_ENDED_FILE} && echo "taken $$" || exit 1; cat >/dev/null`,
    `: > ${SESSION_ENDED_FILE}`,
    // $$ is the holder's own pid here: its steps' record.
    endStepScript(stepRecordFile("$$")),
  ].join("\n");
  return [
    oldLockCheck,
    `lockf -k -t 0 ${LOCK_FILE} /bin/sh -c ${q(holder)} sh ${q(who)} ${LOCK_FILE} 2>/dev/null`,
    "rc=$?",
    `if [ $rc -eq 75 ]; then printf 'locked\\t%s\\n' "$(head -1 ${LOCK_FILE} 2>/dev/null)"; elif [ $rc -ne 0 ]; then printf 'failed\\t%s\\n' $rc; fi`,
  ].join("\n");
}

function lockedError(host: string, answer: string): UserError {
  const [state, details] = splitAnswer(answer);
  if (state === "stale-dir")
    return new UserError(
      `host ${host} has a lock left by an older provision (${details || "owner unknown"})`,
      { hint: `If no apply runs there, remove it: provision unlock --host ${host}` },
    );
  if (state === "locked")
    return new UserError(`host ${host} is locked (${details || "owner unknown"})`, {
      hint: "Wait for it to finish: a provision command's lock goes with its SSH session, the scheduled backup's with its run. If one hangs, end the process named above on the host.",
    });
  return new UserError(`host ${host}: could not take the apply lock (${answer || "no answer"})`);
}

function splitAnswer(line: string): [string, string] {
  const tab = line.indexOf("\t");
  return tab < 0 ? [line.trim(), ""] : [line.slice(0, tab), line.slice(tab + 1).trim()];
}

export async function takeLock(conn: Connector, who: string): Promise<ApplyLock> {
  if (!conn.hold) throw new Error(`connector for ${conn.name} cannot hold a session lock`);
  const held: HeldCommand = await conn.hold(takeLockScript(who));
  const taken = /^taken (\d+)$/.exec(held.first.trim());
  if (taken && !held.ended) return { release: () => held.release(), holder: Number(taken[1]) };
  await held.release();
  throw lockedError(conn.name, held.first.trim());
}

/** Who takes the lock, as the refusal names them: the command, the operator, the machine, since when. */
export function lockOwner(command: string): string {
  return `provision ${command} by ${userInfo().username}@${hostname()} pid ${process.pid} since ${new Date().toISOString()}`;
}

/**
 * Runs fn with the host's lock held: every command that changes a host (apply, restore,
 * upgrade-postgres, update, renew-certs) excludes the others and the scheduled backup, which
 * stops Synapse and would otherwise start it again in the middle of a restore or an upgrade.
 */
export async function withHostLock<T>(
  conn: Connector,
  command: string,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await takeLock(conn, lockOwner(command));
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

export type LockState =
  | { state: "none" }
  | { state: "live" | "stale" | "stale-dir"; details: string };

/** Read-only: whether a live process holds the lock, and what the lock file says. */
export const lockStateScript = [
  oldLockCheck,
  `if [ ! -e ${LOCK_FILE} ]; then echo none; exit 0; fi`,
  `if lockf -k -t 0 ${LOCK_FILE} true 2>/dev/null; then s=stale; else s=live; fi`,
  `printf '%s\\t%s\\n' $s "$(head -1 ${LOCK_FILE} 2>/dev/null)"`,
].join("\n");

export function parseLockState(stdout: string): LockState {
  const [state, details] = splitAnswer(stdout.split("\n")[0] ?? "");
  if (state === "live" || state === "stale" || state === "stale-dir") return { state, details };
  if (state === "none") return { state: "none" };
  throw new Error(`unexpected answer about ${LOCK_FILE}: ${stdout.trim()}`);
}

/**
 * Removes a lock nobody holds. The file is unlinked by lockf(1) itself while it holds the lock
 * (no -k), so a lock taken in between is never removed; an old-style directory goes with its
 * owner file only.
 */
export const removeStaleLockScript = [
  `if [ -d ${LOCK_FILE} ]; then rm -f ${LOCK_FILE}/owner && rmdir ${LOCK_FILE} && echo removed; exit; fi`,
  `if lockf -t 0 ${LOCK_FILE} true 2>/dev/null; then echo removed; else echo live; fi`,
].join("\n");
