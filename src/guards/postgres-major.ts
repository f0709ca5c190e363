import { postgresqlEndOfLife, SUPPORTED_POSTGRESQL } from "../versions.js";
import type { Guard } from "./types.js";

/** The newest PostgreSQL major provision supports: what an end-of-life server should move to. */
export const NEWEST_POSTGRESQL = Math.max(...SUPPORTED_POSTGRESQL);

/**
 * apply never swaps PostgreSQL majors: installing another major's packages makes pkg remove the
 * running server (upgrade-postgres moves the data). Also warns about an end-of-life major.
 */
export const postgresMajor: Guard = {
  name: "postgres-major",
  check(host, facts) {
    const installed = [...facts.packages.keys()]
      .map((p) => /^postgresql(\d+)-server$/.exec(p)?.[1])
      .find(Boolean);
    if (!installed) return [];
    const have = Number(installed);
    const wanted = host.config.versions.postgresql;
    if (have !== wanted) {
      return [
        {
          severity: "error",
          summary: `${host.name}: PostgreSQL ${installed} is installed but the inventory asks for ${wanted}; apply does not swap majors (that would drop the cluster)`,
          detail:
            have < wanted
              ? `Move the data first: \`provision upgrade-postgres --host ${host.name} --to ${wanted}\`.`
              : `Set versions.postgresql to ${installed} in the inventory.`,
        },
      ];
    }
    const eol = postgresqlEndOfLife(have);
    if (!eol) return [];
    return [
      {
        severity: "warning",
        summary: `${host.name}: PostgreSQL ${installed} is end of life since ${eol}`,
        detail: `Upgrade with \`provision upgrade-postgres --host ${host.name} --to ${NEWEST_POSTGRESQL}\`.`,
      },
    ];
  },
};
