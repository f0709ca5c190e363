// provision upgrade-postgres: preflight, plan, confirmation, then the phases in order. A failure
// after the old server stopped and before the new cluster was verified rolls back; after
// verification the new cluster is kept. State on the host makes every step resumable.
import { q } from "../connector/quote.js";
import { UserError } from "../errors.js";
import { dumpFile, keptDataDir, oldDataDir, type UpgradeParams } from "./params.js";
import {
  FIRST_ROLLBACK_PHASE,
  PHASES,
  phaseIndex,
  reopenScript,
  VERIFIED_PHASE,
} from "./phases.js";
import { preflight, spaceNeeded } from "./preflight.js";
import { autoRollback } from "./rollback.js";
import { execLocked, lastLines, type UpgradeSession } from "./session.js";
import { recordPhase, stateDirScript } from "./shell.js";
import { type HostState, paramsLine, readState } from "./state.js";

const NOTES = [
  "Synapse and coturn stop until the end; every other client is locked out of PostgreSQL (pg_hba.conf) until the row counts match",
  "pkg removes what depends on the old client (coturn, py-psycopg2): all but py-psycopg2 is installed again (Synapse's virtualenv has its own psycopg2)",
];

/** Upgrades (or resumes the upgrade of) the host's PostgreSQL to `to`. */
export async function upgrade(
  s: UpgradeSession,
  req: { to: number; dumpDir: string },
): Promise<void> {
  const st = await readState(s.conn, s.stateDir, req.dumpDir);
  const { to } = req;
  if (st.phase === "done" && st.params?.to === to) {
    s.emit({
      type: "upgrade_result",
      host: s.host,
      outcome: "already_upgraded",
      message: `already upgraded to PostgreSQL ${to}. Remove the kept data with --cleanup when satisfied.`,
    });
    return;
  }
  const p = params(s, st, req);
  const resumeAfter = st.phase !== "done" ? st.phase : undefined;
  const done = phaseIndex(resumeAfter);
  const space = spaceNeeded(st);
  s.emit({
    type: "upgrade_plan",
    host: s.host,
    from: p.from,
    to: p.to,
    dataDir: oldDataDir(p),
    keptDir: keptDataDir(p),
    dataKb: st.dataKb,
    freeKb: space.freeKb,
    needKb: space.needKb,
    dumpDir: p.dumpDir,
    stateDir: p.stateDir,
    ...(resumeAfter ? { resumeAfter } : {}),
    notes: NOTES,
    phases: PHASES.map((ph, i) => ({
      name: ph.name,
      description: ph.description,
      done: i <= done,
    })),
  });
  if (!(await s.confirm("Proceed?"))) {
    s.emit({
      type: "upgrade_result",
      host: s.host,
      outcome: "cancelled",
      message: "cancelled; nothing was changed.",
    });
    return;
  }
  await runPhases(s, p, done + 1);
  s.emit({
    type: "upgrade_result",
    host: s.host,
    outcome: "upgraded",
    message: `PostgreSQL ${p.to} serves every row the old cluster had; Synapse answers. The old data directory (${keptDataDir(p)}) and the dump (${dumpFile(p)}) stay until \`provision upgrade-postgres --host ${s.host} --cleanup\`.`,
  });
}

/** A fresh upgrade's parameters, or those of the unfinished one (which must match). */
function params(
  s: UpgradeSession,
  st: HostState,
  req: { to: number; dumpDir: string },
): UpgradeParams {
  const recorded = st.params;
  if (st.phase && st.phase !== "done" && recorded) {
    if (recorded.to !== req.to || recorded.dumpDir !== req.dumpDir)
      throw new UserError(
        `an unfinished upgrade on ${s.host} goes to PostgreSQL ${recorded.to} with its dump in ${recorded.dumpDir}`,
        {
          hint: `Resume it with --to ${recorded.to}${recorded.dumpDir !== req.dumpDir ? ` --dump-dir ${recorded.dumpDir}` : ""}, or undo it with --rollback.`,
        },
      );
    return { ...recorded, stateDir: s.stateDir };
  }
  const { from } = preflight(st, req.to, s.host);
  return { from, to: req.to, dumpDir: req.dumpDir, stateDir: s.stateDir };
}

async function runPhases(s: UpgradeSession, p: UpgradeParams, start: number): Promise<void> {
  const line = paramsLine(p);
  const setup = await s.conn.exec(
    [
      "set -eu",
      stateDirScript(p.stateDir),
      `printf '%s\\n' ${q(line)} > ${q(`${p.stateDir}/params.tmp`)}`,
      `mv -f ${q(`${p.stateDir}/params.tmp`)} ${q(`${p.stateDir}/params`)}`,
    ].join("\n"),
  );
  if (setup.code !== 0)
    throw new UserError(
      `cannot prepare ${p.stateDir} on ${s.host}: ${lastLines(setup.stderr, 3).join(" ")}`,
    );
  for (let i = start; i < PHASES.length; i++) {
    const ph = PHASES[i] as (typeof PHASES)[number];
    const base = {
      type: "upgrade_phase",
      host: s.host,
      index: i,
      total: PHASES.length,
      name: ph.name,
      description: ph.description,
    } as const;
    s.emit({ ...base, status: "started", output: [] });
    const r = await execLocked(s, `${ph.script(p)}\n${recordPhase(p.stateDir, ph.name)}`);
    const output = r.stdout.trim() ? r.stdout.trim().split("\n") : [];
    if (r.code === 0) {
      s.emit({ ...base, status: "completed", output });
      continue;
    }
    const detail = lastLines(r.stderr, 10);
    s.emit({ ...base, status: "failed", output: [...output, ...detail], exitCode: r.code });
    await failed(s, p, i, detail[0] ?? `exit ${r.code}`);
  }
  await s.conn.exec(recordPhase(p.stateDir, "done"));
}

/** What a failed phase leaves: always a thrown UserError, after putting the host right. */
async function failed(s: UpgradeSession, p: UpgradeParams, i: number, error: string) {
  const name = PHASES[i]?.name;
  if (i < FIRST_ROLLBACK_PHASE) {
    // The old server never stopped: let clients in, start services, and record that the
    // next run starts over from stopping them (nothing before the dump is kept).
    const reset = i > 0 ? `\n${recordPhase(p.stateDir, PHASES[0]?.name ?? "")}` : "";
    const r = await execLocked(s, `${reopenScript(p)}${reset}`);
    throw new UserError(
      `upgrade stopped at '${name}' before the old server was touched; ${r.code === 0 ? "clients let in again, services restarted" : `putting clients and services back FAILED too: ${lastLines(r.stderr, 3).join(" ")}`}`,
      { hint: error },
    );
  }
  if (i <= VERIFIED_PHASE) {
    await autoRollback(s, p, `'${name}' failed`);
    throw new UserError(
      `upgrade failed at '${name}'; rolled back: PostgreSQL ${p.from} runs again with its data, clients let in, Synapse and coturn restarted`,
      { hint: `The dump stays in ${p.dumpDir}. Error: ${error}` },
    );
  }
  throw new UserError(
    `upgrade failed at '${name}', after PostgreSQL ${p.to} was verified: it keeps every row, and is not rolled back`,
    {
      hint: `Error: ${error}. Fix the cause and run the same command again: it resumes at '${name}'. (--rollback would dump the new cluster first and keep it.)`,
    },
  );
}
