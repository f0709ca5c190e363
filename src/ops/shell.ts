// Shell fragments shared by backup, restore and check: Synapse's database read as postgres, and
// root's own state directory for these commands.
import { q } from "../connector/quote.js";
import { PATHS } from "../freebsd/paths.js";
import { asPostgres } from "../upgrade/shell.js";

export { asPostgres };

export const SYNAPSE_DB = "synapse";

/**
 * A command run as synapse, never root, for what Synapse may change under our feet (the media
 * store: a directory swapped for a symbolic link then leads only where Synapse may read anyway).
 * su -m runs root's own shell on FreeBSD (synapse's is nologin); other su(1)s take $SHELL.
 */
export const asSynapse = (cmd: string) => `SHELL=/bin/sh su -m synapse -c ${q(cmd)}`;

/** Where the postgresqlNN-client package installs its programs: named in full, so no other
 * pg_dump on a login PATH (of another major) can answer instead. */
export const pg = (program: "psql" | "pg_dump" | "pg_dumpall" | "pg_restore") =>
  `/usr/local/bin/${program}`;

/** Root's own directory for backup and restore staging: 0700, never reachable by postgres or synapse. */
export const OPS_STATE_DIR = "/var/db/provision/ops";

/** Creates OPS_STATE_DIR as root's alone (a symlink or foreign owner there is refused). */
export const ensureStateDir = [
  "umask 077",
  "mkdir -p /var/db/provision",
  `if [ -L ${OPS_STATE_DIR} ]; then echo '${OPS_STATE_DIR} is a symbolic link: refused' >&2; exit 1; fi`,
  `mkdir -p ${OPS_STATE_DIR}`,
  `chown root:wheel ${OPS_STATE_DIR}`,
  `chmod 700 ${OPS_STATE_DIR}`,
].join("\n");

/**
 * How long the row counts and pg_dump wait for a table's lock before they fail (ms): Synapse is
 * stopped meanwhile, so a session holding a lock fails the backup instead of hanging it.
 */
export const LOCK_WAIT_MS = 120_000;

/** psql that prints "table<TAB>rows" for every table of Synapse's database, sorted, to `to`. */
export function countRowsScript(to = ""): string {
  return `${asPostgres(`PGOPTIONS='-c lock_timeout=${LOCK_WAIT_MS}' ${pg("psql")} -XtA -F '\t' -v ON_ERROR_STOP=1 -d ${SYNAPSE_DB}`)}${to ? ` > ${to}` : ""} <<'PROVISION_SQL'
SELECT format('SELECT %L, count(*) FROM %I.%I', table_name, table_schema, table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name \\gexec
PROVISION_SQL`;
}

export function parseCounts(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stdout.split("\n")) {
    const m = /^([^\t]+)\t(\d+)$/.exec(line.trim());
    if (m) out[m[1] as string] = Number(m[2]);
  }
  return out;
}

/** The key id of a Synapse signing key file ("ed25519 <id> <seed>"), printed by the host. */
export const signingKeyIdScript = (path: string) =>
  `if [ -f ${q(path)} ]; then head -1 ${q(path)} | cut -d' ' -f1,2 | tr ' ' ':'; fi`;

/** Configuration trees and files kept in config.tar, relative to /. */
export function configPaths(signingKey: string): string[] {
  return [
    PATHS.synapseConf,
    PATHS.synapseLogConfig,
    signingKey,
    PATHS.coturnConf,
    `${PATHS.apacheConfDir}/httpd.conf`,
    `${PATHS.apacheConfDir}/Includes`,
    PATHS.apacheDocRoot,
    PATHS.dehydratedDir,
  ].map((p) => p.replace(/^\//, ""));
}
