import { UserError } from "../errors.js";
import type { Host } from "../inventory/types.js";
import { SshConnector } from "./ssh.js";

export interface ConnectOptions {
  acceptNewHostKey?: boolean;
}

/**
 * SSH to a host with known_hosts checks, nothing run yet: for plan and apply, whose one fact
 * probe learns (and checks) the system in the same round trip as everything else.
 */
export function sshToHost(host: Host, opts: ConnectOptions = {}): Promise<SshConnector> {
  return SshConnector.connect(host.name, host.config.ssh, new Set(host.sshExplicit), {
    ...(opts.acceptNewHostKey ? { acceptNewHostKey: true } : {}),
  });
}

/**
 * The way a command that runs its own scripts reaches a host: SSH with known_hosts checks,
 * then a refusal of anything that is not FreeBSD before a single change is made.
 */
export async function connectHost(host: Host, opts: ConnectOptions = {}): Promise<SshConnector> {
  const conn = await sshToHost(host, opts);
  try {
    const r = await conn.exec("uname -s");
    const system = r.stdout.trim();
    if (system !== "FreeBSD") {
      throw new UserError(
        `host ${host.name} runs ${system || "an unknown system"}, not FreeBSD: refusing to touch it`,
        {
          hint: "provision manages FreeBSD 14 and 15 hosts only; check the host's address in the inventory.",
        },
      );
    }
    return conn;
  } catch (err) {
    await conn.close();
    throw err;
  }
}
