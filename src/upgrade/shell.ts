// Shell fragments the upgrade's phases and rollback share. Every script runs under `set -eu`.
// Root never writes through a path postgres controls: files in the data and dump directories
// are written, and data directories in postgres's home renamed or removed, by postgres itself
// (`asPostgres`), so a symlink planted there gains nothing; root writes only into its own state
// directory.
import { dirname } from "node:path";
import { q } from "../connector/quote.js";
import { PATHS } from "../freebsd/paths.js";
import { canonicalPathScript } from "../guards/destructive-paths.js";
import type { UpgradeParams } from "./params.js";

const RC_DIR = dirname(PATHS.synapseRcScript);
/** The clients on the host that the upgrade stops (other clients are locked out by pg_hba). */
const CLIENT_SERVICES = ["synapse", "turnserver"];

/** Runs cmd as the postgres user (its login environment, its permissions). */
export const asPostgres = (cmd: string) => `su -l postgres -c ${q(cmd)}`;

/** psql as the local superuser; `db` is a fixed name, never one read from the server. */
export const psql = (flags = "") =>
  `psql -X -v ON_ERROR_STOP=1${flags ? ` ${flags}` : ""} -d postgres`;

export function stopClientServices(): string {
  return [
    `for s in ${CLIENT_SERVICES.join(" ")}; do`,
    `  if [ -x ${RC_DIR}/$s ] && service $s onestatus >/dev/null 2>&1; then service $s onestop; fi`,
    "done",
  ].join("\n");
}

export function startClientServices(): string {
  return [
    `for s in ${[...CLIENT_SERVICES].reverse().join(" ")}; do`,
    `  if [ -x ${RC_DIR}/$s ] && ! service $s onestatus >/dev/null 2>&1; then service $s onestart; fi`,
    "done",
  ].join("\n");
}

const SAVED_HBA = "pg_hba.conf.provision-saved";

/**
 * Only the local superuser may connect to the cluster in dataDir: pg_hba.conf is replaced (the
 * original saved beside it), the server reloads it, every other session is ended, and the
 * script fails unless no other client remains. Writes cannot slip in after the dump.
 */
export function lockOutClients(dataDir: string): string {
  return [
    asPostgres(
      [
        "set -e",
        `cd ${q(dataDir)}`,
        `if [ ! -f ${SAVED_HBA} ]; then cp -p pg_hba.conf ${SAVED_HBA}; fi`,
        "umask 077",
        `printf '%s\\n' '# provision upgrade-postgres: only the local superuser until the upgrade ends' 'local all postgres peer' > pg_hba.conf.tmp`,
        "mv pg_hba.conf.tmp pg_hba.conf",
      ].join("\n"),
    ),
    `${asPostgres(`${psql("-qtA")} -c 'SELECT pg_reload_conf()'`)} >/dev/null`,
    "sleep 1",
    `${asPostgres(`${psql("-qtA")} -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"`)} >/dev/null`,
    "i=0",
    "while :; do",
    `  others=$(${asPostgres(`${psql("-qtA")} -c "SELECT string_agg(format('%s@%s (%s)', usename, datname, coalesce(client_addr::text, 'local')), ', ') FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"`)})`,
    '  if [ -z "$others" ]; then break; fi',
    `  i=$((i+1)); if [ $i -gt 10 ]; then echo "clients still connected to PostgreSQL: $others" >&2; exit 1; fi`,
    "  sleep 1",
    "done",
  ].join("\n");
}

/** Puts back the pg_hba.conf saved by lockOutClients, and reloads a running server. */
export function letClientsIn(dataDir: string): string {
  return [
    `if [ -d ${q(dataDir)} ]; then`,
    `  ${asPostgres(`set -e; cd ${q(dataDir)}; if [ -f ${SAVED_HBA} ]; then mv -f ${SAVED_HBA} pg_hba.conf; fi`)}`,
    `  if service postgresql onestatus >/dev/null 2>&1; then ${asPostgres(`${psql("-qtA")} -c 'SELECT pg_reload_conf()'`)} >/dev/null; fi`,
    "fi",
  ].join("\n");
}

/** Copies the original pg_hba.conf of the kept cluster into the new one as the one to restore. */
export function carryOverHba(fromDir: string, toDir: string): string {
  return asPostgres(
    [
      "set -e",
      `if [ -f ${q(`${fromDir}/${SAVED_HBA}`)} ]; then src=${q(`${fromDir}/${SAVED_HBA}`)}; else src=${q(`${fromDir}/pg_hba.conf`)}; fi`,
      `cp -p "$src" ${q(`${toDir}/${SAVED_HBA}`)}`,
      `cp -p ${q(`${fromDir}/pg_hba.conf`)} ${q(`${toDir}/pg_hba.conf`)}`,
    ].join("\n"),
  );
}

/**
 * Row counts of every user table of every database, and Synapse's schema version, into
 * `out` (in root's state directory). Database names never pass through a shell: psql
 * writes a script that names databases by oid and connects through a psql variable.
 */
export function countScript(stateDir: string, out: string): string {
  const perDb = [
    "SELECT format('SELECT %%L, %%L, count(*) FROM %%I.%%I', current_database(), n.nspname || '.' || c.relname, n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 \\gexec",
    "SELECT format('SELECT %%L, ''schema_version'', version FROM public.schema_version', current_database()) WHERE to_regclass('public.schema_version') IS NOT NULL \\gexec",
  ].join("\n");
  const gen = `SELECT format($provision$SELECT datname AS provision_db FROM pg_database WHERE oid = %s \\gset\n\\connect :provision_db\n${perDb}$provision$, oid) FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY oid;`;
  const script = `${stateDir}/counts.sql`;
  return [
    `${asPostgres(psql("-qtA"))} > ${q(script)} <<'SQL'\n${gen}\nSQL`,
    `${asPostgres(psql("-qtA -F '|'"))} < ${q(script)} > ${q(`${out}.tmp`)}`,
    `sort ${q(`${out}.tmp`)} > ${q(out)}`,
    `rm -f ${q(`${out}.tmp`)} ${q(script)}`,
  ].join("\n");
}

/** Creates root's state directory (0700 root) and refuses one reached through a symlink. */
export function stateDirScript(stateDir: string): string {
  return [
    `mkdir -p ${q(stateDir)}`,
    canonicalPathScript(stateDir),
    `chown root ${q(stateDir)}`,
    `chmod 0700 ${q(stateDir)}`,
  ].join("\n");
}

/**
 * The dump directory, owned by postgres: created by root only when absent (and handed to
 * postgres with chown -h, which never follows a link); an existing one must already be
 * postgres's. Root never re-owns a directory it did not create.
 */
export function dumpDirScript(p: UpgradeParams): string {
  const d = q(p.dumpDir);
  return [
    `if [ ! -d ${q(dirname(p.dumpDir))} ]; then echo ${q(`${dirname(p.dumpDir)} does not exist: create it or choose another --dump-dir`)} >&2; exit 1; fi`,
    `if [ ! -e ${d} ] && [ ! -L ${d} ]; then mkdir -m 0700 ${d}; chown -h postgres:postgres ${d}; fi`,
    canonicalPathScript(p.dumpDir),
    `if [ -z "$(find ${d} -maxdepth 0 -type d -user postgres)" ]; then echo ${q(`${p.dumpDir} is not a directory owned by postgres: choose a new --dump-dir`)} >&2; exit 1; fi`,
  ].join("\n");
}

/** Records a completed phase (root's state directory, written atomically). */
export function recordPhase(stateDir: string, name: string): string {
  const f = `${stateDir}/phase`;
  return `printf '%s\\n' ${q(name)} > ${q(`${f}.tmp`)}\nmv -f ${q(`${f}.tmp`)} ${q(f)}`;
}

/** Runs script under the upgrade lock with `set -eu`: a second run fails at once (exit 75). */
export function locked(script: string): string {
  return `lockf -k -t 0 ${PATHS.upgradeLock} /bin/sh -s <<'PROVISION_PHASE'\nset -eu\n${script}\nPROVISION_PHASE`;
}
