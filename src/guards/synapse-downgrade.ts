import { normalizeDist } from "../facts/venvs.js";
import { PATHS } from "../freebsd/paths.js";
import { compareVersions } from "../versions.js";
import type { Guard } from "./types.js";

const DIST = normalizeDist("matrix-synapse");

/**
 * Synapse migrates its database schema forward on start and cannot migrate it back: installing
 * an older Synapse than the one installed may leave a server that does not start.
 */
export const synapseDowngrade: Guard = {
  name: "synapse-downgrade",
  request(req) {
    req.venvs.add(PATHS.synapseVenv);
  },
  check(host, facts, changes, options) {
    const installed = facts.venvs.get(PATHS.synapseVenv)?.get(DIST);
    const wanted = host.config.versions.synapse;
    const installs = changes.some((c) => c.type === "pip" && c.name.startsWith(`${DIST}==`));
    if (!installed || !installs || options.allowDowngrade) return [];
    if (!(compareVersions(wanted, installed) < 0)) return [];
    return [
      {
        severity: "error",
        summary: `${host.name}: Synapse ${installed} is installed and the inventory asks for ${wanted}; Synapse's database schema may not go back to an older version`,
        detail: `Pin the installed version: set versions.synapse to ${installed} in the inventory.`,
      },
    ];
  },
};
