// The PostgreSQL major upgrade as ordered, resumable phases. Each phase is one remote script,
// run under lockf(1) so two runs never overlap, and records its completion in the state
// directory: a rerun after an interruption continues after the last completed phase.
import { q } from "../connector/quote.js";
import { postgresDataDir } from "../freebsd/paths.js";

export interface UpgradeParams {
  from: number;
  to: number;
  /** Where the dump, the row counts and the state live. */
  dir: string;
}

export const LOCK = "/var/run/provision-upgrade.lock";

const psqlAll = (sql: string, db = "postgres") =>
  `su -l postgres -c ${q(`psql -XqtA -v ON_ERROR_STOP=1 -d ${db} -F '|'`)} <<'SQL'\n${sql}\nSQL`;

/** Row counts of every user table of every database, and Synapse's schema version. */
function countScript(out: string): string {
  return [
    `: > ${q(out)}.tmp`,
    // The here-document's end marker needs a line of its own, so ")" comes on the next one.
    `for db in $(${psqlAll("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1;")}`,
    "); do",
    `  su -l postgres -c "psql -XqtA -v ON_ERROR_STOP=1 -d $db -F '|'" <<'SQL' | sed "s/^/$db|/" >> ${q(out)}.tmp || exit 1`,
    "SELECT format('SELECT %L, count(*) FROM %I.%I', n.nspname || '.' || c.relname, n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 \\gexec",
    // Synapse's schema version, where the database has one.
    "SELECT 'SELECT ''schema_version'', version FROM public.schema_version' WHERE to_regclass('public.schema_version') IS NOT NULL \\gexec",
    "SQL",
    "done",
    `sort ${q(out)}.tmp > ${q(out)} && rm -f ${q(out)}.tmp`,
  ].join("\n");
}

export interface Phase {
  name: string;
  description: string;
  script: (p: UpgradeParams) => string;
}

const oldDir = (p: UpgradeParams) => postgresDataDir(p.from);
const newDir = (p: UpgradeParams) => postgresDataDir(p.to);
const kept = (p: UpgradeParams) => `${oldDir(p)}.pre-upgrade`;

export const PHASES: Phase[] = [
  {
    name: "services-stopped",
    description: "stop Synapse and coturn",
    script: () =>
      "for s in synapse turnserver; do service $s onestatus >/dev/null 2>&1 && service $s onestop; done; true",
  },
  {
    name: "counted",
    description: "record row counts and Synapse's schema version",
    script: (p) => countScript(`${p.dir}/counts.before`),
  },
  {
    name: "dumped",
    description: "pg_dumpall of the old cluster",
    // Into a file, not a pipe: pg_dumpall's own exit status decides.
    script: (p) =>
      [
        `install -d -o postgres -m 0700 ${q(p.dir)}`,
        `su -l postgres -c ${q(`pg_dumpall -f ${p.dir}/dump.sql.tmp`)}`,
        `mv -f ${q(`${p.dir}/dump.sql.tmp`)} ${q(`${p.dir}/dump.sql`)}`,
        `fsync ${q(`${p.dir}/dump.sql`)} 2>/dev/null || sync`,
      ].join(" && "),
  },
  {
    name: "old-stopped",
    description: "stop the old server",
    script: () =>
      "service postgresql onestatus >/dev/null 2>&1 && service postgresql onestop; true",
  },
  {
    name: "moved",
    description: "move the old data directory aside (kept)",
    script: (p) =>
      `if [ -d ${q(oldDir(p))} ]; then mv ${q(oldDir(p))} ${q(kept(p))}; fi; test -d ${q(kept(p))}`,
  },
  {
    name: "swapped",
    description: "swap the PostgreSQL packages; reinstall what pkg removed with the client",
    script: (p) =>
      [
        "set -e",
        // Whatever depends on the old client goes with it: remember and reinstall.
        `if pkg info -e postgresql${p.from}-client; then pkg delete -n postgresql${p.from}-client 2>/dev/null | awk '/^\\t/ {sub(":", "", $1); print $1}' | grep -v '^postgresql' > ${q(`${p.dir}/reinstall`)} || true; fi`,
        `pkg info -e postgresql${p.from}-server && env ASSUME_ALWAYS_YES=yes pkg delete -y postgresql${p.from}-server`,
        `pkg info -e postgresql${p.from}-client && env ASSUME_ALWAYS_YES=yes pkg delete -y postgresql${p.from}-client`,
        `env ASSUME_ALWAYS_YES=yes pkg install -y postgresql${p.to}-server postgresql${p.to}-client $(cat ${q(`${p.dir}/reinstall`)} 2>/dev/null)`,
      ].join("\n"),
  },
  {
    name: "initialized",
    description: "initdb the new cluster (UTF8, C collation)",
    script: (p) =>
      `if [ ! -f ${q(`${newDir(p)}/PG_VERSION`)} ]; then service postgresql oneinitdb; fi`,
  },
  {
    name: "configured",
    description: "carry over pg_hba.conf and the changed postgresql.conf settings",
    script: (p) =>
      [
        `cp -p ${q(`${kept(p)}/pg_hba.conf`)} ${q(`${newDir(p)}/pg_hba.conf`)}`,
        // Settings set in the old postgresql.conf, appended to the new one (the last one wins).
        `settings=$(grep -Ev '^[[:space:]]*(#|$)' ${q(`${kept(p)}/postgresql.conf`)} | sed 's/[[:space:]]*#.*//')`,
        `defaults=$(grep -Ev '^[[:space:]]*(#|$)' ${q(`${newDir(p)}/postgresql.conf`)} | sed 's/[[:space:]]*#.*//')`,
        `changed=$(printf '%s\\n' "$settings" | grep -vxF "$defaults" || true)`,
        `if [ -n "$changed" ] && ! grep -q 'provision: carried over' ${q(`${newDir(p)}/postgresql.conf`)}; then`,
        `  printf '\\n# provision: carried over from PostgreSQL ${p.from}\\n%s\\n' "$changed" >> ${q(`${newDir(p)}/postgresql.conf`)}`,
        "fi",
        `printf '%s\\n' "$changed" > ${q(`${p.dir}/settings.diff`)}`,
        `if [ -n "$changed" ]; then echo "postgresql.conf settings carried over from ${p.from}:"; printf '%s\\n' "$changed" | sed 's/^/  + /'; else echo "postgresql.conf: no settings differ from ${p.to}'s defaults"; fi`,
      ].join("\n"),
  },
  {
    name: "started",
    description: "start the new server",
    script: () => "service postgresql onestatus >/dev/null 2>&1 || service postgresql onestart",
  },
  {
    name: "restored",
    description: "restore the dump (stopping at the first error)",
    // The bootstrap superuser already exists in the new cluster: its CREATE ROLE is the one
    // statement to leave out, so ON_ERROR_STOP can stay on for everything else.
    script: (p) =>
      [
        `sed '/^CREATE ROLE postgres;$/d' ${q(`${p.dir}/dump.sql`)} > ${q(`${p.dir}/restore.sql`)}`,
        `chown postgres ${q(`${p.dir}/restore.sql`)}`,
        `su -l postgres -c ${q(`psql -Xq -v ON_ERROR_STOP=1 -d postgres -f ${p.dir}/restore.sql`)} >/dev/null`,
      ].join(" && "),
  },
  {
    name: "verified",
    description: "compare row counts and the schema version with the recorded ones",
    script: (p) =>
      [
        countScript(`${p.dir}/counts.after`),
        `if ! cmp -s ${q(`${p.dir}/counts.before`)} ${q(`${p.dir}/counts.after`)}; then`,
        `  echo "row counts differ after the restore:" >&2; diff ${q(`${p.dir}/counts.before`)} ${q(`${p.dir}/counts.after`)} >&2; exit 1`,
        "fi",
        `echo "$(wc -l < ${q(`${p.dir}/counts.after`)}) tables and versions match"`,
      ].join("\n"),
  },
  {
    name: "analyzed",
    description: "ANALYZE every database",
    script: () => `su -l postgres -c 'vacuumdb --all --analyze-only --quiet'`,
  },
  {
    name: "services-started",
    description: "start coturn and Synapse; check that Synapse answers",
    script: () =>
      [
        "for s in turnserver synapse; do if [ -x /usr/local/etc/rc.d/$s ]; then service $s onestatus >/dev/null 2>&1 || service $s onestart; fi; done",
        "if [ -x /usr/local/etc/rc.d/synapse ]; then",
        "  i=0; until curl -sf http://127.0.0.1:8008/health >/dev/null; do i=$((i+1)); [ $i -gt 60 ] && { echo 'Synapse does not answer on 127.0.0.1:8008/health' >&2; exit 1; }; sleep 1; done",
        "fi",
      ].join("\n"),
  },
];

/** Back to the old server: new cluster and packages out, old packages and data back in. */
export function rollbackScript(p: UpgradeParams): string {
  return [
    "service postgresql onestatus >/dev/null 2>&1 && service postgresql onestop",
    `if [ -d ${q(kept(p))} ]; then`,
    `  rm -rf ${q(newDir(p))}`,
    `  pkg info -e postgresql${p.to}-server && env ASSUME_ALWAYS_YES=yes pkg delete -y postgresql${p.to}-server`,
    `  pkg info -e postgresql${p.to}-client && env ASSUME_ALWAYS_YES=yes pkg delete -y postgresql${p.to}-client`,
    `  env ASSUME_ALWAYS_YES=yes pkg install -y postgresql${p.from}-server postgresql${p.from}-client $(cat ${q(`${p.dir}/reinstall`)} 2>/dev/null) || exit 1`,
    `  mv ${q(kept(p))} ${q(oldDir(p))} || exit 1`,
    "fi",
    "service postgresql onestart || exit 1",
    "for s in turnserver synapse; do if [ -x /usr/local/etc/rc.d/$s ]; then service $s onestatus >/dev/null 2>&1 || service $s onestart; fi; done",
    `rm -f ${q(`${p.dir}/phase`)} ${q(`${p.dir}/params`)}`,
    "true",
  ].join("\n");
}

/** Runs script under the upgrade lock: a second run waits for nothing and says so. */
export function locked(script: string): string {
  return `lockf -k -t 0 ${LOCK} /bin/sh -s <<'PROVISION_PHASE'\nset -u\n${script}\nPROVISION_PHASE`;
}
