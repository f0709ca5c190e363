import type { Guard } from "./types.js";

/**
 * provision re-owns only directories it created itself (recorded on the host when it made them):
 * a path that already existed with another owner (`backup.dir: /`, /etc, a package's directory)
 * belongs to someone else, and chown'ing it could break the system or hand it to a service user.
 * Likewise the mode of an existing directory the inventory names (an operator's shared directory
 * given as backup.scheduled.dir): tightening it would lock its other users out.
 */
export const directoryReown: Guard = {
  name: "directory-reown",
  request(req) {
    req.createdDirs = true;
  },
  check(host, facts, changes) {
    return changes.flatMap((c) => {
      const m = c.remodes;
      if (m && !c.reowns && !facts.createdDirs.has(m.path))
        return [
          {
            severity: "error" as const,
            summary: `${host.name}: ${c.address}: ${m.path} already exists (${m.from}) and provision did not create it; it will not change its mode to ${m.to}`,
            detail: `Point the inventory at a directory of its own (one that does not exist yet), or chmod ${m.to} ${m.path} yourself if it really is meant for this.`,
          },
        ];
      const r = c.reowns;
      if (!r || facts.createdDirs.has(r.path)) return [];
      return [
        {
          severity: "error" as const,
          summary: `${host.name}: ${c.address}: ${r.path} already exists, owned by ${r.from}, and provision did not create it; it will not re-own it to ${r.to}`,
          detail: `Point the inventory at a directory of its own (one that does not exist yet), or chown ${r.path} to ${r.to} yourself if it really is meant for this.`,
        },
      ];
    });
  },
};
