// The PostgreSQL major upgrade as ordered, resumable phases. Each phase is one remote script,
// run under lockf(1) with `set -eu`, that records its completion in root's state directory: a
// rerun after an interruption continues after the last completed phase.
import { q } from "../connector/quote.js";
import { PATHS } from "../freebsd/paths.js";
import { canonicalPathScript } from "../guards/destructive-paths.js";
import {
  dumpFile,
  keptDataDir,
  newDataDir,
  oldDataDir,
  packagesDir,
  type UpgradeParams,
} from "./params.js";
import {
  asPostgres,
  carryOverHba,
  countScript,
  dumpDirScript,
  letClientsIn,
  lockOutClients,
  psql,
  startClientServices,
  stopClientServices,
} from "./shell.js";

export interface Phase {
  name: string;
  description: string;
  script: (p: UpgradeParams) => string;
}

/** Only "no line matched" (exit 1) is accepted from grep; a real error (2) still stops. */
const grepOrNone = (cmd: string) => `{ ${cmd} || [ $? -eq 1 ]; }`;

/**
 * What pkg removes with the old client (coturn, py-psycopg2, ...): all of it is kept as
 * package files for a rollback; all but psycopg is installed again (Synapse's virtualenv
 * builds its own psycopg2 against the new client, and pkg's py-psycopg2 depends on the ports
 * tree's default client, which may be another major).
 */
function dependentsScript(p: UpgradeParams): string {
  const st = (f: string) => q(`${p.stateDir}/${f}`);
  return [
    `if pkg info -e postgresql${p.from}-client; then`,
    `  pkg delete -n postgresql${p.from}-client > ${st("delete.plan")}`,
    "else",
    `  : > ${st("delete.plan")}`,
    "fi",
    `awk '/^\\t/ {sub(":", "", $1); if ($1 !~ /^postgresql[0-9]+-/) print $1}' ${st("delete.plan")} > ${st("dependents")}`,
    `awk '$1 !~ /^py[0-9]+-psycopg/' ${st("dependents")} > ${st("reinstall")}`,
    `rm -f ${st("delete.plan")}`,
  ].join("\n");
}

/** Fails when a package list printed by pkg names a PostgreSQL major other than `major`. */
function onlyMajorScript(listFile: string, major: number, what: string): string {
  return [
    `others=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^postgresql[0-9]+-/ && $i !~ /^postgresql${major}-/) print $i}' ${q(listFile)})`,
    `if [ -n "$others" ]; then echo "${what} would bring another PostgreSQL major: $others" >&2; exit 1; fi`,
  ].join("\n");
}

export const PHASES: Phase[] = [
  {
    name: "fetched",
    description:
      "fetch the new PostgreSQL packages and keep the installed ones as package files (so upgrade and rollback work without a repository)",
    script: (p) =>
      [
        dependentsScript(p),
        `pkg fetch -y -d postgresql${p.to}-server postgresql${p.to}-client $(cat ${q(`${p.stateDir}/reinstall`)}) > ${q(`${p.stateDir}/fetch.log`)}`,
        onlyMajorScript(`${p.stateDir}/fetch.log`, p.to, "installing the new packages"),
        `mkdir -p ${q(packagesDir(p))}`,
        `pkg create -o ${q(packagesDir(p))} postgresql${p.from}-server postgresql${p.from}-client $(cat ${q(`${p.stateDir}/dependents`)})`,
      ].join("\n"),
  },
  {
    name: "services-stopped",
    description: "stop Synapse and coturn",
    script: () => stopClientServices(),
  },
  {
    name: "locked-out",
    description:
      "lock out every other client (pg_hba.conf: the local superuser only; other sessions ended)",
    script: (p) => lockOutClients(oldDataDir(p)),
  },
  {
    name: "counted",
    description: "record row counts and Synapse's schema version",
    script: (p) => countScript(p.stateDir, `${p.stateDir}/counts.before`),
  },
  {
    name: "dumped",
    description: "pg_dumpall of the old cluster (by postgres, into the dump directory)",
    // Into a file, not a pipe: pg_dumpall's own exit status decides.
    script: (p) =>
      [
        dumpDirScript(p),
        asPostgres(
          [
            "set -e",
            "umask 077",
            `pg_dumpall -f ${q(`${dumpFile(p)}.tmp`)}`,
            `mv -f ${q(`${dumpFile(p)}.tmp`)} ${q(dumpFile(p))}`,
            `fsync ${q(dumpFile(p))}`,
          ].join("\n"),
        ),
      ].join("\n"),
  },
  {
    name: "old-stopped",
    description: "stop the old server",
    script: () =>
      "if service postgresql onestatus >/dev/null 2>&1; then service postgresql onestop; fi",
  },
  {
    name: "moved",
    description: "move the old data directory aside (kept)",
    script: (p) =>
      [
        `if [ -d ${q(oldDataDir(p))} ]; then`,
        `  if [ -e ${q(keptDataDir(p))} ] || [ -L ${q(keptDataDir(p))} ]; then echo ${q(`${keptDataDir(p)} exists already: not moving ${oldDataDir(p)} onto it`)} >&2; exit 1; fi`,
        `  ${asPostgres(`mv ${q(oldDataDir(p))} ${q(keptDataDir(p))}`)}`,
        "fi",
        canonicalPathScript(keptDataDir(p)),
        `test -d ${q(keptDataDir(p))}`,
      ].join("\n"),
  },
  {
    name: "swapped",
    description:
      "swap the PostgreSQL packages (from the fetched files); reinstall what pkg removed with the client, except py-psycopg2",
    script: (p) =>
      [
        `if pkg info -e postgresql${p.from}-server; then pkg delete -y postgresql${p.from}-server; fi`,
        `if pkg info -e postgresql${p.from}-client; then pkg delete -y postgresql${p.from}-client; fi`,
        `pkg install -U -y postgresql${p.to}-server postgresql${p.to}-client $(cat ${q(`${p.stateDir}/reinstall`)})`,
        `pkg query -g '%n' 'postgresql*' > ${q(`${p.stateDir}/installed`)}`,
        onlyMajorScript(`${p.stateDir}/installed`, p.to, "the installed packages"),
      ].join("\n"),
  },
  {
    name: "initialized",
    description: "initdb the new cluster (UTF8, C collation)",
    script: (p) =>
      `if [ ! -f ${q(`${newDataDir(p)}/PG_VERSION`)} ]; then service postgresql oneinitdb; fi`,
  },
  {
    name: "configured",
    description:
      "carry over pg_hba.conf (clients stay locked out until verified) and the changed postgresql.conf settings",
    script: (p) =>
      [
        carryOverHba(keptDataDir(p), newDataDir(p)),
        // Settings set in the old postgresql.conf, appended to the new one (the last one wins).
        asPostgres(
          [
            "set -e",
            `old=${q(`${keptDataDir(p)}/postgresql.conf`)}; new=${q(`${newDataDir(p)}/postgresql.conf`)}`,
            `settings=$(${grepOrNone(`grep -Ev '^[[:space:]]*(#|$)' "$old"`)} | sed 's/[[:space:]]*#.*//')`,
            `defaults=$(${grepOrNone(`grep -Ev '^[[:space:]]*(#|$)' "$new"`)} | sed 's/[[:space:]]*#.*//')`,
            `changed=$(printf '%s\\n' "$settings" | ${grepOrNone(`grep -vxF "$defaults"`)})`,
            `if [ -n "$changed" ] && ! grep -q 'provision: carried over' "$new"; then`,
            `  printf '\\n# provision: carried over from PostgreSQL ${p.from}\\n%s\\n' "$changed" >> "$new"`,
            "fi",
            `if [ -n "$changed" ]; then echo "postgresql.conf settings carried over from ${p.from}:"; printf '%s\\n' "$changed" | sed 's/^/  + /'; else echo "postgresql.conf: no settings differ from ${p.to}'s defaults"; fi`,
          ].join("\n"),
        ),
      ].join("\n"),
  },
  {
    name: "started",
    description: "start the new server",
    script: () =>
      "if ! service postgresql onestatus >/dev/null 2>&1; then service postgresql onestart; fi",
  },
  {
    name: "restored",
    description: "restore the dump (by postgres, stopping at the first error)",
    // The bootstrap superuser already exists in the new cluster: its CREATE ROLE is the one
    // statement to leave out, so ON_ERROR_STOP can stay on for everything else. Filtered on
    // the way in, so there is no rewritten copy to store.
    script: (p) =>
      asPostgres(`sed '/^CREATE ROLE postgres;$/d' ${q(dumpFile(p))} | ${psql("-q")} >/dev/null`),
  },
  {
    name: "verified",
    description: "compare row counts and the schema version with the recorded ones",
    script: (p) => {
      const before = q(`${p.stateDir}/counts.before`);
      const after = q(`${p.stateDir}/counts.after`);
      return [
        countScript(p.stateDir, `${p.stateDir}/counts.after`),
        `if ! cmp -s ${before} ${after}; then`,
        `  echo "row counts differ after the restore:" >&2; diff ${before} ${after} >&2 || true; exit 1`,
        "fi",
        `echo "$(wc -l < ${after}) tables and versions match"`,
      ].join("\n");
    },
  },
  {
    name: "analyzed",
    description: "ANALYZE every database",
    script: () => asPostgres("vacuumdb --all --analyze-only --quiet"),
  },
  {
    name: "opened",
    description: "let clients in again (the carried-over pg_hba.conf)",
    script: (p) => letClientsIn(newDataDir(p)),
  },
  {
    name: "services-started",
    description: "start coturn and Synapse; check that Synapse answers",
    script: () =>
      [
        startClientServices(),
        `if [ -x ${PATHS.synapseRcScript} ]; then`,
        "  i=0; until curl -sf http://127.0.0.1:8008/health >/dev/null; do i=$((i+1)); if [ $i -gt 60 ]; then echo 'Synapse does not answer on 127.0.0.1:8008/health' >&2; exit 1; fi; sleep 1; done",
        "fi",
      ].join("\n"),
  },
];

export const phaseIndex = (name: string | undefined) =>
  name === undefined ? -1 : PHASES.findIndex((x) => x.name === name);

/** From this phase on, a failure rolls back automatically (the old server was stopped). */
export const FIRST_ROLLBACK_PHASE = phaseIndex("old-stopped");
/** After this phase the new cluster holds verified data and is never rolled back automatically. */
export const VERIFIED_PHASE = phaseIndex("verified");

/** Undoes the phases before the old server stopped: clients back in, services started. */
export function reopenScript(p: UpgradeParams): string {
  return [letClientsIn(oldDataDir(p)), startClientServices()].join("\n");
}
