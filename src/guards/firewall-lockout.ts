import { parseCidr } from "../util/net.js";
import { changesFirewall, type Guard } from "./types.js";

function inCidrs(address: string, cidrs: string[]): boolean {
  const a = parseCidr(address);
  if (!a) return false;
  return cidrs.some((c) => {
    const n = parseCidr(c);
    if (!n || n.family !== a.family) return false;
    const probe = parseCidr(`${address}/${n.prefix}`);
    return probe?.network === n.network;
  });
}

/** A firewall change must never shut out the address provision itself connects from. */
export const firewallLockout: Guard = {
  name: "firewall-lockout",
  check(host, facts, changes) {
    const client = facts.os.sshClient;
    const cidrs = host.config.management_cidrs;
    if (!changesFirewall(changes) || !client || inCidrs(client, cidrs)) return [];
    return [
      {
        severity: "error",
        summary: `${host.name}: this SSH connection comes from ${client}, which is not in management_cidrs (${cidrs.join(", ")}); the firewall would lock provision out`,
        detail: `Add ${client}/32 (or its network) to management_cidrs, or connect from a listed network.`,
      },
    ];
  },
};
