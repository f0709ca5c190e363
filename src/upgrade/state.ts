// What the host says about PostgreSQL and about an upgrade in progress: one read-only script.
import { q } from "../connector/quote.js";
import type { Connector } from "../connector/types.js";
import { PATHS } from "../freebsd/paths.js";

export interface RecordedUpgrade {
  from: number;
  to: number;
  dumpDir: string;
}

export interface HostState {
  /** Major of the installed postgresqlNN-server package. */
  installed?: number;
  running: boolean;
  /** Last completed phase ("done" when finished). */
  phase?: string;
  params?: RecordedUpgrade;
  /** Size of the largest live data directory. */
  dataKb: number;
  /** Live data directories (not kept by an earlier upgrade). */
  dataDirs: string[];
  /** Data directories kept by an upgrade (`*.pre-upgrade`). */
  kept: string[];
  /** Free space and mount point where the data directories live, and where the dump goes. */
  dataFs: { freeKb: number; mount: string };
  dumpFs: { freeKb: number; mount: string };
}

const fsLine = (tag: string, path: string) =>
  [
    `d=${q(path)}; while [ ! -e "$d" ]; do d=$(dirname "$d"); done`,
    `df -Pk "$d" | awk 'NR==2 {print "${tag}", $4, $6}'`,
  ].join("\n");

/** Reads the host's state; `dumpDir` is where this run's dump would go (for its free space). */
export async function readState(
  conn: Connector,
  stateDir: string,
  dumpDir?: string,
): Promise<HostState> {
  const home = PATHS.postgresHome;
  const r = await conn.exec(
    [
      `echo "installed $(pkg query -g '%n' 'postgresql*-server' 2>/dev/null | sed -n 's/^postgresql\\([0-9]*\\)-server$/\\1/p' | head -1)"`,
      "if service postgresql onestatus >/dev/null 2>&1; then echo running; fi",
      `if [ -f ${q(`${stateDir}/phase`)} ]; then echo "phase $(cat ${q(`${stateDir}/phase`)})"; fi`,
      `if [ -f ${q(`${stateDir}/params`)} ]; then echo "params $(cat ${q(`${stateDir}/params`)})"; fi`,
      `for d in ${home}/data*; do if [ -d "$d" ] && [ ! -L "$d" ]; then echo "datadir $(du -sk "$d" | cut -f1) $d"; fi; done`,
      fsLine("datafs", home),
      ...(dumpDir ? [fsLine("dumpfs", dumpDir)] : []),
    ].join("\n"),
  );
  const st: HostState = {
    running: false,
    dataKb: 0,
    dataDirs: [],
    kept: [],
    dataFs: { freeKb: 0, mount: "" },
    dumpFs: { freeKb: 0, mount: "" },
  };
  for (const line of r.stdout.split("\n")) {
    const [k, ...v] = line.split(" ");
    if (k === "installed" && v[0]) st.installed = Number(v[0]);
    if (k === "running") st.running = true;
    if (k === "phase" && v[0]) st.phase = v[0];
    if (k === "params" && v.length >= 3)
      st.params = { from: Number(v[0]), to: Number(v[1]), dumpDir: v.slice(2).join(" ") };
    if (k === "datadir" && v[1]) {
      const dir = v.slice(1).join(" ");
      if (dir.endsWith(".pre-upgrade")) st.kept.push(dir);
      else if (/\/data\d+$/.test(dir)) {
        st.dataDirs.push(dir);
        st.dataKb = Math.max(st.dataKb, Number(v[0]));
      }
    }
    if (k === "datafs") st.dataFs = { freeKb: Number(v[0]), mount: v.slice(1).join(" ") };
    if (k === "dumpfs") st.dumpFs = { freeKb: Number(v[0]), mount: v.slice(1).join(" ") };
  }
  return st;
}

/** Root's state directory records the parameters so --rollback and --cleanup act on them only. */
export function paramsLine(p: RecordedUpgrade): string {
  return `${p.from} ${p.to} ${p.dumpDir}`;
}
