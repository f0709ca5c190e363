// What `synapse.install: package` demands. FreeBSD's py311-matrix-synapse is built for the
// ports tree's default Python and pulls in py311-psycopg2, which depends on the client of the
// default PostgreSQL (ports Mk/bsd.default-versions.mk): another major's server would lose its
// client to pkg's conflict resolution, and pkg removes the server with it.

import type { HostConfig } from "./types.js";

/** The ports tree's defaults the binary package is built for. */
export const SYNAPSE_PACKAGE_PYTHON = "3.11";
export const SYNAPSE_PACKAGE_POSTGRESQL = 17;

export type InstallReport = (cfgPath: string, summary: string, detail?: string) => void;

export function checkSynapseInstall(c: HostConfig, report: InstallReport): void {
  if (c.synapse.install !== "package") return;
  if (c.versions.python !== SYNAPSE_PACKAGE_PYTHON) {
    report(
      "synapse.install",
      `synapse.install: package needs versions.python ${SYNAPSE_PACKAGE_PYTHON} (FreeBSD builds py-matrix-synapse for its default Python only), got ${c.versions.python}`,
      `Set versions.python: "${SYNAPSE_PACKAGE_PYTHON}", or use synapse.install: pip.`,
    );
  }
  if (c.versions.postgresql !== SYNAPSE_PACKAGE_POSTGRESQL) {
    report(
      "synapse.install",
      `synapse.install: package needs versions.postgresql ${SYNAPSE_PACKAGE_POSTGRESQL}: the package depends on py311-psycopg2, which installs postgresql${SYNAPSE_PACKAGE_POSTGRESQL}-client and so would make pkg remove postgresql${c.versions.postgresql}-server`,
      `Set versions.postgresql: ${SYNAPSE_PACKAGE_POSTGRESQL} (upgrade an existing cluster with provision upgrade-postgres first), or use synapse.install: pip.`,
    );
  }
}
