// Back to the old server. Before verification the new cluster only holds what was restored
// from the dump (every client was locked out), so it goes. After verification it may hold
// writes made since: it is dumped, stopped and kept, never deleted.
import { q } from "../connector/quote.js";
import { UserError } from "../errors.js";
import {
  afterUpgradeDumpFile,
  keptDataDir,
  newDataDir,
  oldDataDir,
  packagesDir,
  rolledBackDataDir,
  type UpgradeParams,
} from "./params.js";
import { phaseIndex, VERIFIED_PHASE } from "./phases.js";
import { execLocked, lastLines, type UpgradeSession } from "./session.js";
import {
  asPostgres,
  letClientsIn,
  lockOutClients,
  startClientServices,
  stopClientServices,
} from "./shell.js";
import { readState } from "./state.js";

/** State files the upgrade writes into root's state directory. */
export const STATE_FILES = [
  "phase",
  "params",
  "counts.before",
  "counts.after",
  "dependents",
  "reinstall",
  "fetch.log",
  "installed",
];

export function clearStateScript(stateDir: string, p: UpgradeParams): string {
  return [
    `rm -f ${STATE_FILES.map((f) => q(`${stateDir}/${f}`)).join(" ")}`,
    `rm -rf ${q(packagesDir(p))}`,
  ].join("\n");
}

/**
 * The verified new cluster, before a rollback: clients stopped and locked out, dumped by
 * postgres (unless `dump` is false), stopped, and moved aside whole.
 */
export function setAsideScript(p: UpgradeParams, dump: boolean): string {
  const target = q(rolledBackDataDir(p));
  const out = afterUpgradeDumpFile(p);
  return [
    `if [ -e ${target} ]; then echo ${q(`${rolledBackDataDir(p)} exists (an earlier rollback): move it away first`)} >&2; exit 1; fi`,
    stopClientServices(),
    "if ! service postgresql onestatus >/dev/null 2>&1; then service postgresql onestart; fi",
    lockOutClients(newDataDir(p)),
    ...(dump
      ? [
          asPostgres(
            [
              "set -e",
              "umask 077",
              `if [ -e ${q(out)} ]; then echo ${q(`${out} exists: move it away first`)} >&2; exit 1; fi`,
              `pg_dumpall -f ${q(`${out}.tmp`)}`,
              `mv ${q(`${out}.tmp`)} ${q(out)}`,
              `fsync ${q(out)}`,
            ].join("\n"),
          ),
        ]
      : []),
    "service postgresql onestop",
    asPostgres(`mv ${q(newDataDir(p))} ${target}`),
  ].join("\n");
}

/** Old packages (from the package files kept at the start), old data directory, old server. */
export function rollbackScript(
  p: UpgradeParams,
  stateDir: string,
  afterVerification: boolean,
): string {
  const kept = q(keptDataDir(p));
  const newDir = q(newDataDir(p));
  // Only an unverified cluster (restored from the dump, no client let in) may be deleted; a
  // verified one must have been set aside before.
  const dropNew = afterVerification
    ? `  if [ -e ${newDir} ]; then echo ${q(`${newDataDir(p)} is still there: not deleting a verified cluster`)} >&2; exit 1; fi`
    : `  if [ -e ${newDir} ]; then ${asPostgres(`rm -rf ${newDir}`)}; fi`;
  return [
    "if service postgresql onestatus >/dev/null 2>&1; then service postgresql onestop; fi",
    `if [ -d ${kept} ]; then`,
    `  if [ -e ${q(oldDataDir(p))} ]; then echo ${q(`${oldDataDir(p)} exists beside ${keptDataDir(p)}: not touching either`)} >&2; exit 1; fi`,
    dropNew,
    `  if pkg info -e postgresql${p.to}-server; then pkg delete -y postgresql${p.to}-server; fi`,
    `  if pkg info -e postgresql${p.to}-client; then pkg delete -y postgresql${p.to}-client; fi`,
    "  set --",
    `  for f in ${q(packagesDir(p))}/*.pkg; do`,
    `    if [ ! -f "$f" ]; then continue; fi`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    '    b=${f##*/}; b=${b%.pkg}; if ! pkg info -e "${b%-*}"; then set -- "$@" "$f"; fi',
    "  done",
    '  if [ $# -gt 0 ]; then pkg add "$@"; fi',
    `  if ! pkg info -e postgresql${p.from}-server; then echo ${q(`postgresql${p.from}-server could not be installed again`)} >&2; exit 1; fi`,
    `  ${asPostgres(`mv ${kept} ${q(oldDataDir(p))}`)}`,
    "fi",
    letClientsIn(oldDataDir(p)),
    "if ! service postgresql onestatus >/dev/null 2>&1; then service postgresql onestart; fi",
    startClientServices(),
    clearStateScript(stateDir, p),
  ].join("\n");
}

/** The automatic rollback after a failed phase before verification. */
export async function autoRollback(s: UpgradeSession, p: UpgradeParams, reason: string) {
  s.emit({ type: "upgrade_rollback", host: s.host, status: "started", reason });
  const rb = await execLocked(s, rollbackScript(p, s.stateDir, false));
  if (rb.code !== 0)
    throw new UserError(
      `upgrade failed (${reason}) and the ROLLBACK FAILED too (exit ${rb.code}): ${lastLines(rb.stderr, 5).join(" ")}`,
      {
        hint: `The old data directory is ${keptDataDir(p)} if it was moved; the dump is in ${p.dumpDir}. Run \`provision upgrade-postgres --host ${s.host} --rollback\` again once the cause is fixed.`,
      },
    );
  s.emit({ type: "upgrade_rollback", host: s.host, status: "completed", reason });
}

/** --rollback: asks, then goes back to the old server; a verified cluster is dumped and kept. */
export async function rollback(
  s: UpgradeSession,
  req: { dumpDir?: string; dump: boolean },
): Promise<void> {
  const st = await readState(s.conn, s.stateDir);
  if (!st.params || !st.phase)
    throw new UserError(`no upgrade is recorded on ${s.host}: nothing to roll back`);
  if (req.dumpDir !== undefined && req.dumpDir !== st.params.dumpDir)
    throw new UserError(
      `--dump-dir ${req.dumpDir} is not the recorded upgrade's (${st.params.dumpDir})`,
      { hint: "Leave --dump-dir out: the rollback uses what the upgrade recorded." },
    );
  const p: UpgradeParams = { ...st.params, stateDir: s.stateDir };
  const done = phaseIndex(st.phase);
  const afterVerification = st.phase === "done" || done >= VERIFIED_PHASE;
  if (afterVerification && !st.kept.includes(keptDataDir(p)))
    throw new UserError(
      `the old data directory of ${s.host} (${keptDataDir(p)}) is gone: rolling back is no longer possible`,
    );
  const steps = afterVerification
    ? [
        "stop Synapse and coturn; lock out every other client of PostgreSQL",
        req.dump
          ? `dump PostgreSQL ${p.to} (everything written since the upgrade) to ${afterUpgradeDumpFile(p)}`
          : `no dump (--no-dump): only the data directory keeps what was written since the upgrade`,
        `stop PostgreSQL ${p.to} and keep its data directory as ${rolledBackDataDir(p)}`,
        `reinstall PostgreSQL ${p.from} and move ${keptDataDir(p)} back to ${oldDataDir(p)}`,
        `start PostgreSQL ${p.from}, coturn and Synapse (as they were at the upgrade: later writes are only in the dump and the kept directory)`,
      ]
    : [
        `stop PostgreSQL ${p.to} if it runs and remove its unverified data directory (restored from the dump, no client was let in)`,
        `reinstall PostgreSQL ${p.from} and move ${keptDataDir(p)} back to ${oldDataDir(p)} where it was moved`,
        `let clients in again; start PostgreSQL ${p.from}, coturn and Synapse`,
      ];
  s.emit({
    type: "rollback_plan",
    host: s.host,
    from: p.from,
    to: p.to,
    afterVerification,
    steps,
  });
  if (!(await s.confirm("Roll back?"))) {
    s.emit({
      type: "upgrade_result",
      host: s.host,
      outcome: "cancelled",
      message: "cancelled; nothing was changed.",
    });
    return;
  }
  if (afterVerification) {
    const r = await execLocked(s, setAsideScript(p, req.dump));
    if (r.code !== 0) {
      await execLocked(s, [letClientsIn(newDataDir(p)), startClientServices()].join("\n"));
      throw new UserError(
        `${req.dump ? "the dump of" : "setting aside"} PostgreSQL ${p.to} failed (exit ${r.code}): nothing was rolled back; clients let in again`,
        {
          hint: `${lastLines(r.stderr, 3).join(" ")}${req.dump ? ` (the data directory is kept in any case: --no-dump rolls back without the dump)` : ""}`,
        },
      );
    }
  }
  const r = await execLocked(s, rollbackScript(p, s.stateDir, afterVerification));
  if (r.code !== 0)
    throw new UserError(`rollback failed (exit ${r.code}): ${lastLines(r.stderr, 5).join(" ")}`, {
      hint: `Fix the cause and run \`provision upgrade-postgres --host ${s.host} --rollback\` again.`,
    });
  const kept = afterVerification
    ? ` PostgreSQL ${p.to}'s data is kept in ${rolledBackDataDir(p)}${req.dump ? ` and ${afterUpgradeDumpFile(p)}` : ""}.`
    : "";
  s.emit({
    type: "upgrade_result",
    host: s.host,
    outcome: "rolled_back",
    message: `rolled back to PostgreSQL ${p.from} (${oldDataDir(p)}); services restarted.${kept}`,
  });
}
