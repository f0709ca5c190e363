// Checks before anything on the host changes: the options (before connecting), then the host.
import { UserError } from "../errors.js";
import { destructivePathProblem } from "../guards/destructive-paths.js";
import { SUPPORTED_POSTGRESQL } from "../versions.js";
import type { HostState } from "./state.js";

/** --to: a PostgreSQL major, as a whole number. */
export function parseTargetMajor(value: string | undefined): number {
  const choose = `choose one of ${SUPPORTED_POSTGRESQL.join(", ")}`;
  if (value === undefined)
    throw new UserError("--to MAJOR is required", {
      hint: `Name the PostgreSQL major to move to: ${choose} (e.g. --to ${SUPPORTED_POSTGRESQL.at(-1)}).`,
    });
  if (!/^[0-9]+$/.test(value.trim()))
    throw new UserError(`--to ${value}: '${value}' is not a PostgreSQL major version`, {
      hint: `Give the major number alone: ${choose}.`,
    });
  // Whether it is supported is said after "not newer" (preflight), which says more.
  return Number(value);
}

/**
 * --dump-dir: a plain absolute path that the destructive-path guard would let --cleanup
 * remove later (never a system directory, the PostgreSQL home or what contains them).
 */
export function checkDumpDir(dir: string): void {
  const problem = destructivePathProblem(dir);
  if (problem)
    throw new UserError(`--dump-dir ${dir} refused: ${problem}`, {
      hint: "Name a directory of its own for the dump, e.g. /var/db/postgres/upgrade (the default).",
    });
  if (!/^\/[A-Za-z0-9._/-]+$/.test(dir))
    throw new UserError(
      `--dump-dir ${dir}: must be an absolute path of letters, digits, '.', '_', '-' and '/'`,
    );
}

/** Space for the dump and the new cluster, each about the size of the data, plus a tenth. */
export function spaceNeeded(st: HostState): { needKb: number; freeKb: number; sameFs: boolean } {
  const one = Math.ceil(st.dataKb * 1.1);
  const sameFs = st.dataFs.mount === st.dumpFs.mount;
  return sameFs
    ? { needKb: 2 * one, freeKb: st.dataFs.freeKb, sameFs }
    : { needKb: one, freeKb: Math.min(st.dataFs.freeKb, st.dumpFs.freeKb), sameFs };
}

/** Refuses clearly what cannot work for a fresh upgrade; returns the major installed now. */
export function preflight(st: HostState, to: number, host: string): { from: number } {
  if (st.installed === undefined)
    throw new UserError(
      `host ${host} has no PostgreSQL server package installed; nothing to upgrade`,
    );
  const from = st.installed;
  if (to <= from)
    throw new UserError(`host ${host} runs PostgreSQL ${from}; --to ${to} is not newer`, {
      hint: `Choose one of ${SUPPORTED_POSTGRESQL.filter((m) => m > from).join(", ") || "(none newer)"}.`,
    });
  if (!SUPPORTED_POSTGRESQL.includes(to))
    throw new UserError(
      `PostgreSQL ${to} is not supported; choose one of ${SUPPORTED_POSTGRESQL.join(", ")}`,
    );
  if (st.kept.length > 0 || st.phase === "done")
    throw new UserError(
      `host ${host} still has what an earlier upgrade kept (${st.kept.join(", ") || "its state"})`,
      {
        hint: `Remove it first with \`provision upgrade-postgres --host ${host} --cleanup\` (after checking the current cluster).`,
      },
    );
  if (!st.running)
    throw new UserError(
      `PostgreSQL ${from} on host ${host} is not running: the cluster must be healthy to dump it`,
      { hint: "Start it (service postgresql start) and check its log first." },
    );
  const space = spaceNeeded(st);
  if (space.freeKb < space.needKb) {
    const where = space.sameFs
      ? st.dataFs.mount
      : `${st.dataFs.mount} and ${st.dumpFs.mount} (each)`;
    throw new UserError(
      `host ${host} has ${Math.round(space.freeKb / 1024)} MiB free on ${where}, the upgrade needs about ${Math.round(space.needKb / 1024)} MiB (dump + new cluster)`,
    );
  }
  return { from };
}
