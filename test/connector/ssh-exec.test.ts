// The SSH connector against a local SSH server (ssh2's) that runs commands with /bin/sh -c:
// output lines stream while a command runs, and only silence stops a long command.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../src/apply/execute.js";
import { registerStepScriptFor } from "../../src/apply/lock.js";
import type { SshConnector } from "../../src/connector/ssh.js";
import type { HostPlan } from "../../src/plan/build.js";
import type { Change } from "../../src/resources/types.js";
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

  it("fails the connect at once with a clear error when the connection closes during the handshake", async () => {
    // An SSH server that says its version and hangs up: ssh2 reports no error for that.
    const dropper = createServer((s) => {
      s.write("SSH-2.0-OpenSSH_9.6\r\n");
      setTimeout(() => s.destroy(), 50);
    });
    await new Promise<void>((r) => dropper.listen(0, "127.0.0.1", r));
    try {
      const t0 = Date.now();
      await expect(connectVia((dropper.address() as AddressInfo).port)).rejects.toThrow(
        /^cannot connect to host local \(127\.0\.0\.1:\d+\): the host closed the connection before login completed$/,
      );
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      dropper.close();
    }
  }, 10_000);

  it("fails an apply cut in the middle of a step, saying the host may be partly changed and to run it again", async () => {
    const proxy = new CutProxy(serverPort);
    const cut = await connectVia(await proxy.listen());
    // The steps' prefix as under a lock that this process holds, its files in a directory of its own.
    const dir = mkdtempSync(join(tmpdir(), "provision-lock-"));
    writeFileSync(join(dir, "lock"), `test, process ${process.pid} on the host\n`);
    const stepPrefix = registerStepScriptFor(
      join(dir, "step"),
      join(dir, "session-ended"),
      process.pid,
      join(dir, "lock"),
    );
    const change = (address: string, script: string): Change =>
      ({
        address,
        type: "command",
        name: address,
        recipe: "r",
        action: "create",
        summary: "",
        steps: [{ kind: "exec", description: "run", script }],
        notify: [],
      }) as Change;
    const plan = {
      host: "local",
      changes: [change("command one", "true"), change("command two", "echo started; sleep 30")],
    } as unknown as HostPlan;
    try {
      const running = applyPlan(
        cut,
        plan,
        (e) => {
          if (e.type === "apply_start" && e.index === 2) setTimeout(() => proxy.cut(), 300);
        },
        { stepPrefix },
      );
      const r = await running;
      expect(r.ok).toBe(false);
      expect(r.applied).toBe(1);
      expect(r.failed?.change.address).toBe("command two");
      expect(r.failed?.stderr).toBe(
        "the SSH connection was lost\nthe SSH connection to local was lost during this step: the host may be partly changed. Run `provision apply` again: it continues from where the host is.\n",
      );
      // Lost before a step starts: the same failure, not an exception that hides what was done.
      const again = await applyPlan(cut, plan, () => undefined, { stepPrefix });
      expect(again.ok).toBe(false);
      expect(again.applied).toBe(0);
      expect(again.failed?.stderr).toContain("host local: the SSH connection was lost\n");
      expect(again.failed?.stderr).toContain("the host may be partly changed");
    } finally {
      await proxy.close();
    }
  });
});
