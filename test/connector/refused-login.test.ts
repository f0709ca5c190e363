// A host that refuses the login after the handshake (sshd after a PAM account refusal, as the
// test hosts' firewall gate does, or DenyUsers) disconnects without ssh2 reporting an error:
// connecting must fail then, not wait forever (apply's firewall confirmation waits on it).
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, utils } from "ssh2";
import { afterAll, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { connectLocal } from "./local-ssh.js";

let server: Server | undefined;
afterAll(() => server?.close());

it("fails when the host closes the connection before login completes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-ssh-"));
  const hostKey = utils.generateKeyPairSync("ed25519");
  const clientKey = utils.generateKeyPairSync("ed25519");
  writeFileSync(join(dir, "id"), clientKey.private, { mode: 0o600 });
  server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on("authentication", () => client.end());
    client.on("error", () => undefined);
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const t0 = Date.now();
  const connecting = connectLocal(dir, port, hostKey.public);
  await expect(connecting).rejects.toThrow(
    new UserError(
      `cannot connect to host local (127.0.0.1:${port}): the host closed the connection before login completed`,
      {
        hint: "Check that sshd runs on that port and accepts this address and user, then run again.",
      },
    ),
  );
  // Long before ssh2's readyTimeout (20 s) would have said anything.
  expect(Date.now() - t0).toBeLessThan(5_000);
});
