// What provision supports, and when upstream support ends. Dates from the projects' published policies.

export const SUPPORTED_FREEBSD_MAJORS = [14, 15];
export const SUPPORTED_PYTHON = ["3.10", "3.11", "3.12", "3.13", "3.14"];
/** PostgreSQL majors with their end-of-life dates (postgresql.org versioning policy). */
export const POSTGRESQL_EOL: Record<number, string> = {
  13: "2025-11-13",
  14: "2026-11-12",
  15: "2027-11-11",
  16: "2028-11-09",
  17: "2029-11-08",
  18: "2030-11-14",
};
export const SUPPORTED_POSTGRESQL = [15, 16, 17, 18];
/** Oldest Synapse whose config options our templates use (and the first to require Python 3.10). */
export const MIN_SYNAPSE = "1.140.0";
/**
 * The first Synapse that refuses PostgreSQL 13, and the major it needs. element-hq/synapse
 * CHANGES.md, "Synapse 1.143.0rc1 (2025-11-18)": "This release of Synapse requires PostgreSQL
 * 14+." (#19170); synapse/storage/engines/postgres.py `check_database` raises "Synapse requires
 * PostgreSQL 14 or above." for a server_version below 140000, so Synapse does not start.
 */
export const SYNAPSE_REQUIRES_POSTGRESQL_14 = "1.143.0";
export const SYNAPSE_MIN_POSTGRESQL = 14;

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function postgresqlEndOfLife(major: number, today = new Date()): string | undefined {
  const eol = POSTGRESQL_EOL[major];
  if (eol === undefined) return major < 13 ? "before 2025" : undefined;
  return new Date(`${eol}T00:00:00Z`) <= today ? eol : undefined;
}

/** The newest PostgreSQL major provision supports: what upgrade hints name. */
export const NEWEST_POSTGRESQL = Math.max(...SUPPORTED_POSTGRESQL);

/** Majors provision still accepts with a warning (end of life), so existing hosts can be upgraded. */
export function acceptedEndOfLifePostgresql(): number[] {
  return Object.keys(POSTGRESQL_EOL)
    .map(Number)
    .filter((m) => !SUPPORTED_POSTGRESQL.includes(m))
    .sort((a, b) => a - b);
}

const range = (list: readonly (string | number)[]) =>
  list.length > 1 ? `${list[0]} to ${list[list.length - 1]}` : String(list[0]);

/**
 * How the documentation states what is supported. The schema's descriptions and README's table
 * are generated from these (scripts/sync-versions.mjs), so they never disagree with the checks.
 */
export function supportText(): { freebsd: string; python: string; postgresql: string } {
  const eol = acceptedEndOfLifePostgresql();
  return {
    freebsd: `${SUPPORTED_FREEBSD_MAJORS.map((m) => `${m}.x`).join(" or ")}`,
    python: range(SUPPORTED_PYTHON),
    postgresql: `${range(SUPPORTED_POSTGRESQL)}; ${eol.join(" and ")} are end of life: accepted with a warning until \`provision upgrade-postgres\` moves them; Synapse ${SYNAPSE_REQUIRES_POSTGRESQL_14} and later need ${SYNAPSE_MIN_POSTGRESQL} or newer`,
  };
}
