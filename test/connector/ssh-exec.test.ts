// The SSH connector against a local SSH server (ssh2's) that runs commands with /bin/sh -c:
// output lines stream while a command runs, and only silence stops a long command.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshConnector } from "../../src/connector/ssh.js";
import { CutProxy } from "../e2e/cut-proxy.js";
import { connectLocal } from "./local-ssh.js";

let server: Server;
let conn: SshConnector;
let connectVia: (port: number) => Promise<SshConnector>;
let serverPort: number;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-ssh-"));
  const hostKey = utils.generateKeyPairSync("ed25519");
  const clientKey = utils.generateKeyPairSync("ed25519");
  writeFileSync(join(dir, "id"), clientKey.private, { mode: 0o600 });
  server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on("authentication", (ctx) => ctx.accept());
    client.on("session", (accept) => {
      accept().on("exec", (acceptExec, _reject, info) => {
        const stream = acceptExec();
        // The command line as sshd runs it: by the user's shell.
        const sh = spawn("/bin/sh", ["-c", info.command], { stdio: ["pipe", "pipe", "pipe"] });
        stream.pipe(sh.stdin);
        sh.stdout.pipe(stream, { end: false });
        sh.stderr.pipe(stream.stderr, { end: false });
        sh.on("close", (code) => {
          stream.exit(code ?? 1);
          stream.end();
        });
        stream.on("close", () => sh.kill());
      });
    });
    client.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  serverPort = port;
  connectVia = (p: number) => connectLocal(dir, p, hostKey.public);
  conn = await connectVia(port);
});
afterAll(async () => {
  await conn?.close();
  server?.close();
});

describe("SSH exec", () => {
  it("streams each newest output line while the command runs", async () => {
    const seen: string[] = [];
    const r = await conn.exec("echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three", {
      onOutput: (l) => seen.push(l),
    });
    expect(r.code).toBe(0);
    expect(seen).toEqual(["one", "two", "three"]);
  });

  it("lets a command that keeps printing run past the silence limit", async () => {
    const r = await conn.exec("for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done", {
      idleTimeoutMs: 700,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("1\n2\n3\n4\n5\n6\n");
  });

  it("stops a command that prints nothing for the silence limit", async () => {
    await expect(conn.exec("echo start; sleep 5", { idleTimeoutMs: 500 })).rejects.toThrow(
      "host local: command printed nothing for 0.5 s: stopped",
    );
  });
});

describe("a cut SSH connection", () => {
  it("ends the command in flight and the held one, refuses new ones, and never throws", async () => {
    const proxy = new CutProxy(serverPort);
    const cut = await connectVia(await proxy.listen());
    try {
      const held = await cut.hold("echo taken; cat >/dev/null");
      expect(held.first).toBe("taken");
      const running = cut.exec("echo started; sleep 30");
      await new Promise((r) => setTimeout(r, 300));
      proxy.cut();
      const r = await running;
      expect(r.code).toBe(-1);
      expect(r.stdout).toBe("started\n");
      await held.release();
      await expect(cut.exec("true")).rejects.toThrow("host local: the SSH connection was lost");
    } finally {
      await proxy.close();
    }
  });
});
