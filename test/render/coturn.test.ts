// The rendered turnserver.conf, read by Debian's real coturn on loopback ports.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, hasCommand, selfSigned, startProcess, waitFor } from "../helpers/procs.js";
import { fileOf, hostsFrom, renderMap } from "../helpers/render.js";

const available = hasCommand("turnserver") && hasCommand("turnutils_stunclient");
if (!available)
  console.warn(
    "skipping coturn tests: turnserver is not installed (npm test installs coturn on Debian as root)",
  );

describe.skipIf(!available)("turnserver.conf with Debian's coturn", () => {
  let turn: ReturnType<typeof startProcess> | undefined;
  afterAll(async () => turn?.stop());

  it("starts without configuration complaints and answers STUN", async () => {
    const port = await freePort();
    const tlsPort = await freePort();
    const [host] = hostsFrom(`all:
  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1] }
  hosts:
    m:
      server_name: m.example.org
      public_ipv4: 127.0.0.1
      turn: { port: ${port}, tls_port: ${tlsPort}, min_port: 61000, max_port: 61100 }
`);
    if (!host) throw new Error("no host");
    const conf = fileOf(renderMap(host), "/usr/local/etc/turnserver.conf");
    const dir = mkdtempSync(join(tmpdir(), "provision-coturn-"));
    chmodSync(dir, 0o755);
    selfSigned(dir, "m.example.org");
    chmodSync(join(dir, "privkey.pem"), 0o644);
    const dh = spawnSync(
      "openssl",
      ["dhparam", "-dsaparam", "-out", join(dir, "dhparam.pem"), "2048"],
      { encoding: "utf8" },
    );
    expect(dh.status).toBe(0);
    const log = join(dir, "turn.log");
    // Test-only mapping: file locations, Debian's coturn user, and a log file instead of syslog.
    const mapped = conf
      .replaceAll("/usr/local/etc/coturn/certs/", `${dir}/`)
      .replaceAll("/usr/local/etc/ssl/dhparam.pem", `${dir}/dhparam.pem`)
      .replaceAll("/var/run/turnserver.pid", `${dir}/turnserver.pid`)
      .replace(/^proc-(user|group)=coturn$/gm, "proc-$1=turnserver")
      .replace(/^syslog$/m, `log-file=${log}\nsimple-log`);
    writeFileSync(join(dir, "turnserver.conf"), mapped);
    turn = startProcess("turnserver", ["-c", join(dir, "turnserver.conf"), "--no-stdout-log"]);
    const answer = await waitFor("a STUN answer", () => {
      const r = spawnSync("turnutils_stunclient", ["-p", String(port), "127.0.0.1"], {
        encoding: "utf8",
        timeout: 5000,
      });
      return /reflexive addr: 127\.0\.0\.1:\d+/.test(r.stdout) ? r.stdout : undefined;
    });
    expect(answer).toMatch(/UDP reflexive addr: 127\.0\.0\.1:\d+/);
    const text = readFileSync(log, "utf8");
    expect(text).not.toMatch(/Bad configuration format/i);
    expect(text).not.toMatch(/CONFIG ERROR|CONFIGURATION ALERT: Unknown/i);
    expect(text).toMatch(/Relay ports initialization done|Total General servers/);
    expect(text).toContain("Listener address to use: 127.0.0.1");
    expect(text).toMatch(/TLS1.2: Private key file found: .*privkey.pem/);
  });
});
