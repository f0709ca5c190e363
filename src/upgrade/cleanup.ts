// --cleanup: removes only what a finished upgrade recorded that it left (the kept old data
// directory, its dump), each path passing the destructive-path guard here and a symlink check
// on the host; asks first; reports rm's own exit status.
import { q } from "../connector/quote.js";
import { UserError } from "../errors.js";
import { canonicalPathScript, destructivePathProblem } from "../guards/destructive-paths.js";
import { dumpFile, keptDataDir, newDataDir, type UpgradeParams } from "./params.js";
import { clearStateScript } from "./rollback.js";
import { execLocked, lastLines, type UpgradeSession } from "./session.js";
import { asPostgres } from "./shell.js";
import { readState } from "./state.js";

export function cleanupScript(p: UpgradeParams): string {
  const kept = q(keptDataDir(p));
  const dir = q(p.dumpDir);
  const dump = dumpFile(p);
  return [
    canonicalPathScript(keptDataDir(p)),
    canonicalPathScript(p.dumpDir),
    `if [ -d ${dir} ] && [ -n "$(find ${dir} -name PG_VERSION)" ]; then echo ${q(`${p.dumpDir} holds a PostgreSQL data directory: not removing it`)} >&2; exit 1; fi`,
    `if [ -e ${kept} ]; then ${asPostgres(`rm -rf ${kept}`)}; fi`,
    `if [ -d ${dir} ]; then ${asPostgres(`rm -f ${q(dump)} ${q(`${dump}.tmp`)}`)}; fi`,
    `if [ -d ${dir} ] && ! rmdir ${dir} 2>/dev/null; then echo ${q(`kept ${p.dumpDir}: it holds files the upgrade did not write`)}; fi`,
    clearStateScript(p.stateDir, p),
  ].join("\n");
}

export async function cleanup(s: UpgradeSession, req: { dumpDir?: string }): Promise<void> {
  const st = await readState(s.conn, s.stateDir);
  if (!st.params || st.phase !== "done")
    throw new UserError(
      st.phase
        ? `the upgrade on ${s.host} is not finished (phase '${st.phase}'): run it again or roll back first`
        : `no finished upgrade is recorded on ${s.host}: nothing to clean up`,
    );
  if (req.dumpDir !== undefined && req.dumpDir !== st.params.dumpDir)
    throw new UserError(
      `--dump-dir ${req.dumpDir} is not the finished upgrade's dump directory (${st.params.dumpDir}): nothing removed`,
      { hint: "--cleanup removes only what the upgrade recorded; leave --dump-dir out." },
    );
  const p: UpgradeParams = { ...st.params, stateDir: s.stateDir };
  const protect = [...st.dataDirs, newDataDir(p), s.stateDir];
  for (const path of [keptDataDir(p), p.dumpDir]) {
    const problem = destructivePathProblem(path, protect);
    if (problem) throw new UserError(`refusing to remove ${path}: ${problem}`);
  }
  const sizes = await s.conn.exec(
    `for f in ${q(keptDataDir(p))} ${q(dumpFile(p))}; do if [ -e "$f" ]; then du -sk "$f"; fi; done`,
  );
  const remove = sizes.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [kb, ...path] = l.split("\t");
      return { path: path.join("\t"), kb: Number(kb) };
    });
  s.emit({ type: "cleanup_plan", host: s.host, remove });
  if (!(await s.confirm("Remove them?"))) {
    s.emit({
      type: "upgrade_result",
      host: s.host,
      outcome: "cancelled",
      message: "cancelled; nothing was removed.",
    });
    return;
  }
  const r = await execLocked(s, cleanupScript(p));
  if (r.code !== 0)
    throw new UserError(`cleanup failed (exit ${r.code}): ${lastLines(r.stderr, 5).join(" ")}`);
  for (const l of lastLines(r.stdout, 5))
    s.emit({ type: "upgrade_result", host: s.host, outcome: "cleaned_up", message: l });
  s.emit({
    type: "upgrade_result",
    host: s.host,
    outcome: "cleaned_up",
    message: `removed ${remove.map((x) => x.path).join(" and ") || "nothing (already gone)"}.`,
  });
}
