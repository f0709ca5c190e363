// What an upgrade is about, and the directories derived from it.
import { postgresDataDir } from "../freebsd/paths.js";

export interface UpgradeParams {
  from: number;
  to: number;
  /** Where postgres writes the dump: owned by postgres, never written by root. */
  dumpDir: string;
  /** Root's own state (phase, parameters, row counts, package files): 0700 root. */
  stateDir: string;
}

export const oldDataDir = (p: UpgradeParams) => postgresDataDir(p.from);
export const newDataDir = (p: UpgradeParams) => postgresDataDir(p.to);
/** The old cluster, kept until --cleanup. */
export const keptDataDir = (p: UpgradeParams) => `${oldDataDir(p)}.pre-upgrade`;
/** The new cluster as a rollback after verification leaves it: stopped and kept, never deleted. */
export const rolledBackDataDir = (p: UpgradeParams) => `${newDataDir(p)}.rolled-back`;
export const dumpFile = (p: UpgradeParams) => `${p.dumpDir}/dump.sql`;
/** The new cluster's dump taken before a rollback after verification. */
export const afterUpgradeDumpFile = (p: UpgradeParams) => `${p.dumpDir}/after-upgrade.sql`;
export const packagesDir = (p: UpgradeParams) => `${p.stateDir}/packages`;
