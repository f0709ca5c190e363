// Connects the SSH connector to a local test server (ssh2's) whose host key DIR/known_hosts
// learns here, with the client key DIR/id and no ~/.ssh/config.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SshConnector } from "../../src/connector/ssh.js";

export function connectLocal(dir: string, port: number, hostKey: string): Promise<SshConnector> {
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`, { flag: "a" });
  return SshConnector.connect(
    "local",
    {
      address: "127.0.0.1",
      port,
      user: "root",
      key: join(dir, "id"),
      become: "none",
      known_hosts: join(dir, "known_hosts"),
    },
    new Set(["port", "user"]),
    { sshConfigFile: join(dir, "no-ssh-config") },
  );
}
