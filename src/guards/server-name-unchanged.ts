import { PATHS } from "../freebsd/paths.js";
import type { Guard } from "./types.js";

/** Synapse's database (recipes/postgres.yaml's pg_database). */
export const SYNAPSE_DATABASE = "synapse";

/**
 * server_name is part of every user ID, room alias and event Synapse stored: changing it on a
 * server that has accounts makes every user and room unreachable, and Synapse has no way to
 * rename. A host without accounts yet may still change it.
 */
export const serverNameUnchanged: Guard = {
  name: "server-name-unchanged",
  request(req) {
    req.synapse.config = PATHS.synapseConf;
    req.synapse.database = SYNAPSE_DATABASE;
  },
  check(host, facts, changes) {
    const running = facts.synapse.serverName;
    const wanted = host.config.server_name;
    const rewrites = changes.some((c) => c.type === "file" && c.name === PATHS.synapseConf);
    if (!running || running === wanted || !rewrites || !facts.synapse.hasUsers) return [];
    return [
      {
        severity: "error",
        summary: `${host.name}: server_name would change from ${running} to ${wanted}, but Synapse's database already holds accounts; every user and room would become unreachable`,
        detail: `Set server_name back to ${running} in the inventory. A new server_name needs a new, empty database (a new homeserver).`,
      },
    ];
  },
};
