import { changesFirewall, type Guard } from "./types.js";

/**
 * A firewall change must never shut the port of the SSH connection in use. The port comes from
 * the connection itself ($SSH_CLIENT on the host), not from the inventory: NAT, a jump host or
 * ~/.ssh/config may all put it elsewhere than ssh.port says.
 */
export const sshPortLockout: Guard = {
  name: "ssh-port-lockout",
  check(host, facts, changes) {
    const inUse = facts.os.sshPort;
    const opened = host.config.firewall.ssh_port;
    if (!changesFirewall(changes) || inUse === undefined || inUse === opened) return [];
    return [
      {
        severity: "error",
        summary: `${host.name}: this SSH connection uses port ${inUse} on the host, but the firewall opens SSH on port ${opened} only; applying it would lock provision out`,
        detail: `Set firewall.ssh_port to ${inUse} in the inventory, or make sshd listen on ${opened} and connect on that port (ssh.port).`,
      },
    ];
  },
};
