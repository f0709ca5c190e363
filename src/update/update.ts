// `provision update`: pkg upgrade and freebsd-update patch releases on one host, planned first
// (pkg upgrade -n, freebsd-update fetch), refused when the package jobs would take away what the
// recipes need or swap the PostgreSQL major, confirmed, then applied after a ZFS boot
// environment (when the root is on ZFS) as the way back; services whose packages changed are
// restarted.
import type { Connector } from "../connector/types.js";
import { UserError } from "../errors.js";
import type { Host } from "../inventory/types.js";
import {
  isEmpty,
  type PkgUpgradePlan,
  parsePkgUpgrade,
  pkgUpgradeProblems,
  servicesToRestart,
} from "./pkg-upgrade.js";

export interface UpdatePlan {
  host: string;
  pkg: PkgUpgradePlan;
  /** freebsd-update's patch release: from the running userland to the fetched one. */
  os?: { from: string; to: string };
  /** The boot environment created first, when the root is on ZFS. */
  bootEnvironment?: string;
  /** Running services restarted afterwards. */
  restarts: string[];
  problems: string[];
}

export type UpdateEvent =
  | ({ type: "update_plan" } & UpdatePlan)
  | { type: "update_step"; host: string; step: string }
  | {
      type: "update_result";
      host: string;
      changed: boolean;
      bootEnvironment?: string;
      reboot: boolean;
    };

export interface UpdateSession {
  conn: Connector;
  confirm(question: string): Promise<boolean>;
  emit(e: UpdateEvent): void;
}

const PKG = "env ASSUME_ALWAYS_YES=yes pkg";
const FREEBSD_UPDATE = "env PAGER=cat freebsd-update --not-running-from-cron";

/** A boot environment's name for this moment (bectl: a ZFS dataset name component). */
export function bootEnvironmentName(now: Date): string {
  return `provision-${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}`;
}

/** The patch release freebsd-update fetch will install, or undefined when none is needed. */
export function fetchedRelease(output: string): string | undefined {
  return /updating to\s*\n?\s*(\S+?):/.exec(output)?.[1];
}

async function run(s: UpdateSession, host: string, step: string, script: string) {
  s.emit({ type: "update_step", host, step });
  const r = await s.conn.exec(script);
  if (r.code !== 0)
    throw new UserError(
      `${host}: ${step} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`,
    );
  return r;
}

export async function planUpdate(
  s: UpdateSession,
  host: Host,
  needed: ReadonlySet<string>,
  now: Date,
): Promise<UpdatePlan> {
  const name = host.name;
  const dry = await s.conn.exec(`${PKG} upgrade -n`);
  const pkg = parsePkgUpgrade(dry.stdout);
  // pkg upgrade -n: 0 up to date, 1 with jobs (src/upgrade.c); 1 without any job is an error.
  if (dry.code !== 0 && isEmpty(pkg))
    throw new UserError(`${name}: pkg upgrade -n failed: ${(dry.stderr || dry.stdout).trim()}`);
  const fetch = await s.conn.exec(`${FREEBSD_UPDATE} fetch`);
  if (fetch.code !== 0)
    throw new UserError(
      `${name}: freebsd-update fetch failed: ${(fetch.stderr || fetch.stdout).trim()}`,
    );
  const to = fetchedRelease(fetch.stdout);
  const from = (await s.conn.exec("freebsd-version -u")).stdout.trim();
  const zfs = (await s.conn.exec("bectl check >/dev/null 2>&1")).code === 0;
  const candidates = servicesToRestart(pkg);
  const running = await s.conn.exec(
    candidates.map((c) => `service ${c} onestatus >/dev/null 2>&1 && echo ${c}`).join("; ") || ":",
  );
  return {
    host: name,
    pkg,
    ...(to ? { os: { from, to } } : {}),
    ...(zfs ? { bootEnvironment: bootEnvironmentName(now) } : {}),
    restarts: running.stdout.split("\n").filter((l) => candidates.includes(l)),
    problems: pkgUpgradeProblems(pkg, needed, host.config.versions.postgresql),
  };
}

export async function update(
  s: UpdateSession,
  host: Host,
  needed: ReadonlySet<string>,
  now = new Date(),
): Promise<boolean> {
  const plan = await planUpdate(s, host, needed, now);
  s.emit({ type: "update_plan", ...plan });
  if (plan.problems.length > 0)
    throw new UserError(`${host.name}: the package upgrade is refused; nothing was changed`, {
      hint: "Run `pkg upgrade -n` on the host to see the jobs; pin or lock the package (`pkg lock`), or move PostgreSQL with `provision upgrade-postgres` first.",
    });
  const changed = !isEmpty(plan.pkg) || plan.os !== undefined;
  if (!changed) {
    s.emit({ type: "update_result", host: host.name, changed: false, reboot: false });
    return false;
  }
  if (!(await s.confirm(`Update ${host.name}?`))) return false;
  if (plan.bootEnvironment)
    await run(
      s,
      host.name,
      `bectl create ${plan.bootEnvironment}`,
      `bectl create ${plan.bootEnvironment}`,
    );
  if (!isEmpty(plan.pkg)) await run(s, host.name, "pkg upgrade", `${PKG} upgrade -y`);
  if (plan.os)
    await run(s, host.name, `freebsd-update install (${plan.os.to})`, `${FREEBSD_UPDATE} install`);
  for (const svc of plan.restarts)
    await run(s, host.name, `service ${svc} restart`, `service ${svc} restart`);
  // A new kernel runs only after a reboot: freebsd-version -k names the installed one.
  const k = await s.conn.exec('[ "$(freebsd-version -k)" = "$(uname -r)" ]');
  s.emit({
    type: "update_result",
    host: host.name,
    changed: true,
    reboot: k.code !== 0,
    ...(plan.bootEnvironment ? { bootEnvironment: plan.bootEnvironment } : {}),
  });
  return true;
}
