// The scheduled backup on the host: what its script (templates/backup/provision-backup) is given.
// The pieces are provision backup's own (the same pg_dump, roles dump, row counts, signing key
// id, configuration paths and manifest names), so a scheduled backup is one restore accepts.
import { LOCK_FILE } from "../apply/lock.js";
import { q } from "../connector/quote.js";
import { PATHS } from "../freebsd/paths.js";
import { repositoryKind, sftpParts } from "../inventory/backup-checks.js";
import type { Host } from "../inventory/types.js";
import { REQUIRED_SECRETS } from "../secrets/catalog.js";
import {
  EXCLUDED_TABLE_DATA,
  pgDumpCommand,
  rolesDumpCommand,
  serverVersionCommand,
  signingKeyPath,
} from "./backup.js";
import { BACKUP_FILES, MANIFEST, MANIFEST_FORMAT } from "./manifest.js";
import { databaseSizeCommand, spaceCheckScript } from "./scheduled-space.js";
import { configPaths, countRowsScript, SYNAPSE_DB, signingKeyIdScript } from "./shell.js";

/** Where the scheduled backup's pieces live on the host. */
export const SCHEDULED = {
  script: "/usr/local/sbin/provision-backup",
  cron: "/usr/local/etc/cron.d/provision-backup",
  log: "/var/log/provision-backup.log",
  lock: "/var/run/provision-backup.lock",
  /** Root's own directory for the restic settings (0700). */
  resticDir: "/usr/local/etc/provision/restic",
  /** The repository the last `provision-backup init-repository` opened or created. */
  repositoryState: "/var/db/provision/restic-repository",
  resticCache: "/var/db/provision/restic-cache",
  /** sysutils/restic installs its program here. */
  restic: "/usr/local/bin/restic",
  /** The last run's result, one line: ok|failed, its time, why it failed (provision check reads it). */
  lastRun: "/var/db/provision/scheduled-backup-last",
  /** Written while a run has Synapse stopped ("run started TIME, process PID"); gone once it runs again. */
  stoppedMarker: "/var/db/provision/synapse-stopped-by-backup",
  /** A file in every directory the schedule made: retention removes nothing without it. */
  marker: ".provision-scheduled",
} as const;

/** The user Synapse runs as (net-im/py-matrix-synapse's rc script, synapse_user). */
export const SYNAPSE_USER = "synapse";

export interface ResticView {
  repository: string;
  keep: number;
  /** sftp: the ssh command restic runs (sftp.command), keys and host keys from files; else false. */
  sftp_command: string | false;
  cache_dir: string;
  state_file: string;
  program: string;
  /** A local repository's parent directory (must exist before one is created), else false. */
  local_parent: string | false;
}

export interface ScheduledBackupView {
  enabled: boolean;
  script: string;
  cron: string;
  log: string;
  lock: string;
  /** provision's own apply lock, held by the backup for its whole run. */
  provision_lock: string;
  last_run: string;
  stopped_marker: string;
  marker: string;
  /** The restic settings: root's directory and files in it. */
  restic_dir: string;
  password_file: string;
  ssh_key_file: string;
  known_hosts_file: string;
  repository_state: string;
  /** Everything below is shell text, quoted where it is a value. */
  host_sh: string;
  dir_sh: string;
  host_json: string;
  server_name_json: string;
  keep: number;
  data_dir_sh: string;
  /** Lists, archives and sums the media store (never root). */
  synapse_user: string;
  /** Fails the run before Synapse stops when the backup would not fit. */
  space_check: string;
  count_rows: string;
  pg_dump: string;
  roles_dump: string;
  server_version: string;
  signing_key_id: string;
  config_paths_sh: string;
  files: typeof BACKUP_FILES;
  manifest: string;
  manifest_format: number;
  database_json: string;
  excluded_json: string;
  /** The same names, blank-separated (awk splits them). */
  excluded_sh: string;
  secrets_json: string;
  /** The offsite copy, or false. */
  restic: ResticView | false;
  /** backup.offsite is set and the schedule runs: recipes' `when:`. */
  offsite: boolean;
  sftp: boolean;
}

export function scheduledBackupView(host: Host): ScheduledBackupView {
  const b = host.config.backup;
  const key = signingKeyPath(host);
  const repo = b.offsite.repository;
  const on = b.scheduled.enabled;
  const kind = repo ? repositoryKind(repo) : undefined;
  const sftp = repo && kind === "sftp" ? sftpParts(repo) : undefined;
  const sshKey = `${SCHEDULED.resticDir}/ssh_key`;
  const knownHosts = `${SCHEDULED.resticDir}/known_hosts`;
  const restic: ResticView | false =
    on && repo && kind
      ? {
          repository: repo,
          keep: b.offsite.keep,
          sftp_command: sftp
            ? [
                "ssh",
                `-i ${sshKey}`,
                `-o UserKnownHostsFile=${knownHosts}`,
                "-o StrictHostKeyChecking=yes",
                "-o BatchMode=yes",
                "-o IdentitiesOnly=yes",
                "-o ConnectTimeout=30",
                "-o ServerAliveInterval=60",
                `-p ${b.offsite.ssh_port}`,
                `${sftp.user}@${sftp.host}`,
                "-s sftp",
              ].join(" ")
            : false,
          cache_dir: SCHEDULED.resticCache,
          state_file: SCHEDULED.repositoryState,
          program: SCHEDULED.restic,
          local_parent: kind === "local" ? q(repo.replace(/\/[^/]*$/, "") || "/") : false,
        }
      : false;
  return {
    enabled: on,
    script: SCHEDULED.script,
    cron: SCHEDULED.cron,
    log: SCHEDULED.log,
    lock: SCHEDULED.lock,
    provision_lock: LOCK_FILE,
    last_run: SCHEDULED.lastRun,
    stopped_marker: SCHEDULED.stoppedMarker,
    marker: SCHEDULED.marker,
    restic_dir: SCHEDULED.resticDir,
    password_file: `${SCHEDULED.resticDir}/password`,
    ssh_key_file: sshKey,
    known_hosts_file: knownHosts,
    repository_state: SCHEDULED.repositoryState,
    host_sh: q(host.name),
    dir_sh: q(b.scheduled.dir),
    host_json: JSON.stringify(host.name),
    server_name_json: JSON.stringify(host.config.server_name),
    keep: b.scheduled.keep,
    data_dir_sh: q(PATHS.synapseDataDir),
    synapse_user: SYNAPSE_USER,
    space_check: spaceCheckScript(
      databaseSizeCommand,
      q(PATHS.synapseMediaStore),
      q(b.scheduled.dir),
    ),
    count_rows: countRowsScript('"$work/.counts"'),
    pg_dump: pgDumpCommand(),
    roles_dump: rolesDumpCommand,
    server_version: serverVersionCommand,
    signing_key_id: signingKeyIdScript(key),
    config_paths_sh: configPaths(key).map(q).join(" "),
    files: BACKUP_FILES,
    manifest: MANIFEST,
    manifest_format: MANIFEST_FORMAT,
    database_json: JSON.stringify(SYNAPSE_DB),
    excluded_json: JSON.stringify(EXCLUDED_TABLE_DATA),
    excluded_sh: EXCLUDED_TABLE_DATA.join(" "),
    secrets_json: JSON.stringify(REQUIRED_SECRETS.map((s) => s.name)),
    restic,
    offsite: restic !== false,
    sftp: restic !== false && restic.sftp_command !== false,
  };
}

/**
 * The SSH private key file from its secret: secrets are one line, so the store holds the key
 * file base64-encoded (`base64 < id_ed25519 | tr -d '\n'`). A value that does not decode to a
 * PEM-style key is written as it is (ssh then names the problem when the repository is opened).
 */
export function sshKeyFile(secret: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) return secret;
  const text = Buffer.from(secret, "base64").toString("utf8");
  return text.startsWith("-----BEGIN ") ? text.trimEnd() : secret;
}
