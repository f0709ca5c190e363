// What `pkg upgrade -n` says it would do, and whether provision lets it happen. The summary's
// format is pkg's print_jobs_summary (freebsd/pkg src/utils.c): a heading per kind of job, then
// one tab-indented `name: version` (or `name: old -> new`) line per package.

export interface PkgJob {
  name: string;
  version: string;
  /** For upgrades: the installed version. */
  from?: string;
}

export interface PkgUpgradePlan {
  removed: PkgJob[];
  installed: PkgJob[];
  upgraded: PkgJob[];
  reinstalled: PkgJob[];
}

const HEADINGS: Record<string, keyof PkgUpgradePlan> = {
  "Installed packages to be REMOVED:": "removed",
  "New packages to be INSTALLED:": "installed",
  "Installed packages to be UPGRADED:": "upgraded",
  "Installed packages to be DOWNGRADED:": "upgraded",
  "Installed packages to be REINSTALLED:": "reinstalled",
};

export function parsePkgUpgrade(text: string): PkgUpgradePlan {
  const plan: PkgUpgradePlan = { removed: [], installed: [], upgraded: [], reinstalled: [] };
  let section: keyof PkgUpgradePlan | undefined;
  for (const line of text.split("\n")) {
    if (HEADINGS[line.trim()]) {
      section = HEADINGS[line.trim()];
      continue;
    }
    const m = /^\t([^:\s]+): (\S+)(?: -> (\S+))?/.exec(line);
    if (!m || !section) {
      if (line.trim() === "") section = undefined;
      continue;
    }
    const [, name = "", a = "", b] = m;
    plan[section].push(b ? { name, version: b, from: a } : { name, version: a });
  }
  return plan;
}

export const isEmpty = (p: PkgUpgradePlan) =>
  p.removed.length + p.installed.length + p.upgraded.length + p.reinstalled.length === 0;

const PG = /^postgresql(\d+)-/;

/**
 * Why this upgrade must not run: it would remove a package a recipe installs, or bring, remove
 * or replace a PostgreSQL package of another major than the inventory's (the data directory is
 * per major: that is `provision upgrade-postgres`'s job).
 */
export function pkgUpgradeProblems(
  plan: PkgUpgradePlan,
  needed: ReadonlySet<string>,
  postgresMajor: number,
): string[] {
  const problems: string[] = [];
  for (const p of plan.removed)
    if (needed.has(p.name)) problems.push(`it would remove ${p.name}, which the recipes install`);
  const pg = [...plan.removed, ...plan.installed].filter((p) => PG.test(p.name));
  const swaps =
    plan.removed.some((p) => PG.test(p.name)) ||
    plan.installed.some((p) => Number(PG.exec(p.name)?.[1]) !== postgresMajor);
  if (pg.length > 0 && swaps)
    problems.push(
      `it would replace PostgreSQL ${postgresMajor}'s packages (${pg.map((p) => p.name).join(", ")}); a major change is \`provision upgrade-postgres\`'s job`,
    );
  return [...new Set(problems)];
}

/** rc.d services to restart after their packages (or the libraries they load) changed. */
const SERVICES: [RegExp, string][] = [
  [/^postgresql\d+-server$/, "postgresql"],
  [/^apache24$/, "apache24"],
  [/^coturn$/, "turnserver"],
  // Synapse runs on the packaged Python and links its libraries (libpq, OpenSSL, libsodium...).
  [
    /^(python3\d+|py3\d+-.*|postgresql\d+-client|libffi|libsodium|jpeg-turbo|libxslt|libxml2)$/,
    "synapse",
  ],
  [/^(openssl\d*|ca_root_nss)$/, "apache24"],
  [/^(openssl\d*|libevent|libevent2)$/, "turnserver"],
];

export function servicesToRestart(plan: PkgUpgradePlan): string[] {
  const names = [...plan.upgraded, ...plan.reinstalled, ...plan.installed].map((p) => p.name);
  const out = new Set<string>();
  for (const n of names) for (const [re, svc] of SERVICES) if (re.test(n)) out.add(svc);
  return [...out].sort();
}
