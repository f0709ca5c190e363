// A real SSH handshake against an in-process ssh2 server that has both an ed25519 and an RSA
// host key: the connector must ask for the type known_hosts holds.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshConnector } from "../../src/connector/ssh.js";

const dir = mkdtempSync(join(tmpdir(), "provision-negotiate-"));
function keygen(name: string, type: string): { key: Buffer; pub: string[] } {
  const file = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-m", "PEM", "-f", file]);
  return { key: readFileSync(file), pub: readFileSync(`${file}.pub`, "utf8").trim().split(" ") };
}

describe("host key negotiation", () => {
  const ed = keygen("host_ed25519", "ed25519");
  const rsa = keygen("host_rsa", "rsa");
  keygen("client", "ed25519");
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = new Server({ hostKeys: [ed.key, rsa.key] }, (client) => {
      client.on("authentication", (ctx) => ctx.accept());
      client.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const connect = (knownHosts: string) =>
    SshConnector.connect(
      "m",
      {
        address: "127.0.0.1",
        port,
        user: "root",
        become: "none",
        key: join(dir, "client"),
        known_hosts: knownHosts,
      },
      new Set(["port", "user"]),
      { sshConfigFile: join(dir, "no-config") },
    );

  it("a host offering ed25519 whose RSA key is on record connects: RSA is negotiated, no HOST KEY CHANGED", async () => {
    const kh = join(dir, "kh-rsa");
    writeFileSync(kh, `[127.0.0.1]:${port} ${rsa.pub[0]} ${rsa.pub[1]}\n`);
    const conn = await connect(kh);
    await conn.close();
  });

  it("a different RSA key on record is still HOST KEY CHANGED, with the offered key's fingerprint", async () => {
    const other = keygen("other_rsa", "rsa");
    const kh = join(dir, "kh-other");
    writeFileSync(kh, `[127.0.0.1]:${port} ${other.pub[0]} ${other.pub[1]}\n`);
    const fp = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "host_rsa.pub")], {
      encoding: "utf8",
    }).split(" ")[1] as string;
    await expect(connect(kh)).rejects.toThrow(
      `HOST KEY CHANGED for m (127.0.0.1:${port}): it offered the ssh-rsa key ${fp}`,
    );
  });

  it("an unknown host shows the SHA256 fingerprint of the key it offers", async () => {
    const kh = join(dir, "kh-empty");
    writeFileSync(kh, "");
    const fp = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "host_ed25519.pub")], {
      encoding: "utf8",
    }).split(" ")[1] as string;
    await expect(connect(kh)).rejects.toThrow(`its ssh-ed25519 key ${fp} is unknown`);
  });
});
