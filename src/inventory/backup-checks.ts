// backup.scheduled and backup.offsite: what the schema cannot say about the scheduled backups on
// the host and their copy in a restic repository.
import { cronScheduleError, minutesPerHour } from "../util/cron.js";
import { backupDirProblem } from "./backup-dir.js";
import { scheduledDirProblem } from "./scheduled-dir.js";
import type { HostConfig } from "./types.js";

type Report = (cfgPath: string, summary: string, detail?: string) => void;

const PATH_CHARS = /^\/[A-Za-z0-9._/-]*$/;
const SFTP = /^sftp:([a-z_][a-z0-9._-]*)@([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\/[A-Za-z0-9._/-]*)$/;
const REST = /^rest:https?:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:\d{1,5})?(\/[A-Za-z0-9._/-]*)?$/;
/** known_hosts(5): host patterns, key type, base64 key, optional comment. */
const KNOWN_HOST =
  /^[^\s#]\S* (ssh-ed25519|ecdsa-sha2-nistp\d+|ssh-rsa|sk-\S+) [A-Za-z0-9+/]+=*( [^\n\r]*)?$/;

export type RepositoryKind = "sftp" | "rest" | "local";

/** The kind of a restic repository string the inventory accepts, or undefined. */
export function repositoryKind(repo: string): RepositoryKind | undefined {
  if (SFTP.test(repo)) return "sftp";
  if (REST.test(repo)) return "rest";
  if (PATH_CHARS.test(repo) && !repo.split("/").some((p) => p === "." || p === ".."))
    return "local";
  return undefined;
}

/** sftp:USER@HOST:/PATH split up (HOST without brackets). */
export function sftpParts(repo: string): { user: string; host: string; path: string } | undefined {
  const m = SFTP.exec(repo);
  if (!m) return undefined;
  return { user: m[1] ?? "", host: (m[2] ?? "").replace(/^\[|\]$/g, ""), path: m[3] ?? "" };
}

const inside = (a: string, b: string) => a === b || a.startsWith(`${b}/`);

export function checkBackupSchedule(
  c: HostConfig,
  explicit: (p: string) => boolean,
  report: Report,
): void {
  const s = c.backup.scheduled;
  const o = c.backup.offsite;
  const cronError = cronScheduleError(s.schedule);
  if (cronError) report("backup.scheduled.schedule", `'backup.scheduled.schedule': ${cronError}`);
  // Retention keeps the newest N runs: a schedule that runs every minute of an hour would leave
  // only that hour's backups.
  else if (minutesPerHour(s.schedule) !== 1)
    report(
      "backup.scheduled.schedule",
      `'backup.scheduled.schedule' ${JSON.stringify(s.schedule)} runs more than once an hour (${minutesPerHour(s.schedule)} minutes of each hour it names): retention keeps the newest ${s.keep} runs, so the older history would go`,
      'Name one minute, e.g. "30 2 * * *" (daily at 02:30) or "15 */6 * * *" (every 6 hours).',
    );
  const dirProblem = !PATH_CHARS.test(s.dir)
    ? "must be an absolute path of letters, digits, '.', '_', '-' and '/'"
    : (scheduledDirProblem(s.dir) ??
      backupDirProblem(s.dir) ??
      (inside(s.dir, c.backup.dir) || inside(c.backup.dir, s.dir)
        ? `overlaps backup.dir (${c.backup.dir}), which postgres owns`
        : undefined));
  if (dirProblem && (s.enabled || explicit("backup.scheduled.dir")))
    report(
      "backup.scheduled.dir",
      `'backup.scheduled.dir' ${JSON.stringify(s.dir)} ${dirProblem}`,
      "Choose a directory of its own for root's backups, such as /var/backups/matrix.",
    );

  if (o.repository === undefined) {
    for (const k of ["password", "ssh_key", "known_hosts"] as const)
      if (o[k] !== undefined)
        report(`backup.offsite.${k}`, `'backup.offsite.${k}' is set but 'repository' is not`);
    return;
  }
  const where = "backup.offsite.repository";
  const kind = repositoryKind(o.repository);
  if (!kind) {
    report(
      where,
      `'${where}' must be sftp:USER@HOST:/PATH, rest:https://HOST[:PORT]/PATH or an absolute path, got ${JSON.stringify(o.repository)}`,
      "Credentials never go into the URL: the password comes from the secrets store (backup.offsite.password).",
    );
    return;
  }
  if (!s.enabled)
    report(
      where,
      "'backup.offsite.repository' is set but 'backup.scheduled.enabled' is not true: the copies are made by the scheduled backup",
    );
  if (kind === "local" && (inside(o.repository, s.dir) || inside(s.dir, o.repository)))
    report(where, `'${where}' overlaps backup.scheduled.dir: a copy on the same disk is no copy`);
  if (!o.password)
    report(
      where,
      "'backup.offsite' needs 'password' ({ secret: NAME }), the repository's encryption password",
      "Store one first, e.g. `openssl rand -base64 32 | provision secrets set restic_password`.",
    );
  if (kind === "sftp") {
    if (!o.ssh_key)
      report(where, "an sftp repository needs 'backup.offsite.ssh_key' ({ secret: NAME })");
    if (!o.known_hosts?.length)
      report(
        where,
        "an sftp repository needs 'backup.offsite.known_hosts' (the repository host's keys, from ssh-keyscan)",
      );
    for (const line of o.known_hosts ?? [])
      if (!KNOWN_HOST.test(line))
        report(
          "backup.offsite.known_hosts",
          `'backup.offsite.known_hosts' entry ${JSON.stringify(line.slice(0, 60))} is not a known_hosts line (HOST KEYTYPE BASE64KEY)`,
        );
  } else
    for (const k of ["ssh_key", "known_hosts"] as const)
      if (o[k] !== undefined)
        report(`backup.offsite.${k}`, `'backup.offsite.${k}' applies to sftp repositories only`);
}
