// provision upgrade-postgres: preflight, plan, then the phases in order; on a failure after the
// old server stopped, an automatic rollback. State on the host makes every step resumable.

import { q } from "../connector/quote.js";
import type { Connector } from "../connector/types.js";
import { UserError } from "../errors.js";
import { postgresDataDir } from "../freebsd/paths.js";
import { SUPPORTED_POSTGRESQL } from "../versions.js";
import type { Output } from "../views/output.js";
import { locked, PHASES, rollbackScript, type UpgradeParams } from "./phases.js";

export interface HostState {
  installed?: number;
  running: boolean;
  phase?: string;
  params?: { from: number; to: number };
  dataKb: number;
  freeKb: number;
  leftover: boolean;
  synapse?: string;
}

export async function readState(conn: Connector, dir: string): Promise<HostState> {
  const r = await conn.exec(
    [
      `echo "installed $(pkg query -g '%n' 'postgresql*-server' 2>/dev/null | sed -n 's/^postgresql\\([0-9]*\\)-server$/\\1/p' | head -1)"`,
      "service postgresql onestatus >/dev/null 2>&1 && echo running",
      `[ -f ${q(`${dir}/phase`)} ] && echo "phase $(cat ${q(`${dir}/phase`)})"`,
      `[ -f ${q(`${dir}/params`)} ] && echo "params $(cat ${q(`${dir}/params`)})"`,
      `for d in /var/db/postgres/data*; do [ -d "$d" ] && echo "datakb $(du -sk "$d" | cut -f1) $d"; done`,
      `echo "freekb $(df -k /var/db/postgres | awk 'NR==2 {print $4}')"`,
      "ls -d /var/db/postgres/data*.pre-upgrade 2>/dev/null | sed 's/^/leftover /'",
      "ls /usr/local/lib/matrix-synapse/venv/lib/python*/site-packages/ 2>/dev/null | sed -n 's/^matrix_synapse-\\(.*\\)\\.dist-info$/synapse \\1/p'",
      "true",
    ].join("\n"),
  );
  const st: HostState = { running: false, dataKb: 0, freeKb: 0, leftover: false };
  for (const line of r.stdout.split("\n")) {
    const [k, ...v] = line.split(" ");
    if (k === "installed" && v[0]) st.installed = Number(v[0]);
    if (k === "running") st.running = true;
    if (k === "phase") st.phase = v.join(" ");
    if (k === "params") st.params = { from: Number(v[0]), to: Number(v[1]) };
    if (k === "datakb" && !v[1]?.endsWith(".pre-upgrade"))
      st.dataKb = Math.max(st.dataKb, Number(v[0]));
    if (k === "freekb") st.freeKb = Number(v[0]);
    if (k === "leftover") st.leftover = true;
    if (k === "synapse") st.synapse = v[0];
  }
  return st;
}

/** Refuses clearly what cannot work; returns the from/to majors. */
export function preflight(st: HostState, to: number, host: string): { from: number } {
  if (st.phase && st.phase !== "done" && st.params) return { from: st.params.from }; // resuming
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
  if (st.leftover) {
    throw new UserError(`host ${host} still has the data directory kept by an earlier upgrade`, {
      hint: `Remove it first with \`provision upgrade-postgres --host ${host} --cleanup\` (after checking the current cluster).`,
    });
  }
  if (!st.running)
    throw new UserError(
      `PostgreSQL ${from} on host ${host} is not running: the cluster must be healthy to dump it`,
      { hint: "Start it (service postgresql start) and check its log first." },
    );
  // The dump is about the size of the data (usually smaller), the new cluster about the same.
  const need = st.dataKb * 2;
  if (st.freeKb < need) {
    throw new UserError(
      `host ${host} has ${Math.round(st.freeKb / 1024)} MiB free in /var/db/postgres, the upgrade needs about ${Math.round(need / 1024)} MiB (dump + new cluster)`,
    );
  }
  return { from };
}

export function describe(out: Output, host: string, p: UpgradeParams, st: HostState): void {
  out.line(out.paint("bold", `${host}: PostgreSQL ${p.from} -> ${p.to}`));
  out.line(
    `  data ${postgresDataDir(p.from)} (${Math.round(st.dataKb / 1024)} MiB), ${Math.round(st.freeKb / 1024)} MiB free, about ${Math.round((st.dataKb * 2) / 1024)} MiB needed`,
  );
  out.line(
    `  dump, row counts and state in ${p.dir}; the old data directory is kept as ${postgresDataDir(p.from)}.pre-upgrade`,
  );
  out.line(
    "  Synapse and coturn stop until the end; whatever pkg removes with the old client is reinstalled",
  );
  if (st.phase) out.line(`  resuming after phase '${st.phase}'`);
  for (const [i, ph] of PHASES.entries()) {
    const done = st.phase ? PHASES.findIndex((x) => x.name === st.phase) >= i : false;
    out.line(`  ${done ? "✓" : `${i + 1}.`} ${ph.description}`);
  }
}

export async function runPhases(
  conn: Connector,
  p: UpgradeParams,
  st: HostState,
  log: (s: string) => void,
): Promise<void> {
  const start = st.phase ? PHASES.findIndex((x) => x.name === st.phase) + 1 : 0;
  await conn.exec(
    `mkdir -p ${q(p.dir)} && chmod 0700 ${q(p.dir)} && chown postgres ${q(p.dir)} && printf '%s %s\\n' ${p.from} ${p.to} > ${q(`${p.dir}/params`)}`,
  );
  const stoppedOld = PHASES.findIndex((x) => x.name === "old-stopped");
  for (let i = start; i < PHASES.length; i++) {
    const ph = PHASES[i] as (typeof PHASES)[number];
    log(`[${i + 1}/${PHASES.length}] ${ph.description}`);
    const r = await conn.exec(
      locked(`${ph.script(p)}\n`) +
        `\nrc=$?\n[ $rc -eq 0 ] && echo ${q(ph.name)} > ${q(`${p.dir}/phase`)}\nexit $rc\n`,
      { timeoutMs: 6 * 3600_000 },
    );
    if (r.stdout.trim()) for (const l of r.stdout.trim().split("\n")) log(`    ${l}`);
    if (r.code === 75)
      throw new UserError(
        `another upgrade step is still running on ${conn.name} (lock ${"/var/run/provision-upgrade.lock"})`,
        { hint: "Wait for it to end, then run the same command again: it resumes." },
      );
    if (r.code !== 0) {
      const detail = r.stderr.trim().split("\n").slice(-10).join("\n    ");
      if (i >= stoppedOld) {
        log(`phase '${ph.name}' failed (exit ${r.code}):\n    ${detail}`);
        log("rolling back to the old server and data directory...");
        const rb = await conn.exec(locked(rollbackScript(p)), { timeoutMs: 3600_000 });
        if (rb.code !== 0) {
          throw new UserError(
            `upgrade failed at '${ph.name}' and the ROLLBACK FAILED too (exit ${rb.code}): ${rb.stderr.trim().split("\n").slice(-5).join(" ")}`,
            {
              hint: `The old data directory is ${postgresDataDir(p.from)}.pre-upgrade if it was moved; the dump is ${p.dir}/dump.sql. Run \`provision upgrade-postgres --host ${conn.name} --rollback\` again once the cause is fixed.`,
            },
          );
        }
        throw new UserError(
          `upgrade failed at '${ph.name}'; rolled back: PostgreSQL ${p.from} runs again with its data, Synapse and coturn restarted`,
          {
            hint: `The dump stays in ${p.dir}. Error: ${detail.split("\n")[0]}`,
          },
        );
      }
      // Before the old server stopped nothing is lost: bring the services back.
      await conn.exec(
        "for s in turnserver synapse; do [ -x /usr/local/etc/rc.d/$s ] && (service $s onestatus >/dev/null 2>&1 || service $s onestart); done; true",
      );
      throw new UserError(
        `upgrade stopped at '${ph.name}' (exit ${r.code}) before the old server was touched; services restarted`,
        { hint: detail },
      );
    }
  }
  await conn.exec(`echo done > ${q(`${p.dir}/phase`)}`);
}
