// The dehydrated hook run by /bin/sh on this machine against a temporary directory: the paths
// it writes are moved there, and service/install/kill stand in so calls can be checked.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PATHS } from "../../src/freebsd/paths.js";
import { fakeBin } from "../helpers/fake-bin.js";
import { fileOf, hostsFrom, renderMap } from "../helpers/render.js";

const HOOK = "/usr/local/etc/dehydrated/hook.sh";
const inventory = (turn: boolean) =>
  `all:\n  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1], turn: { enabled: ${turn} } }\n  hosts:\n    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }\n`;

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
}

async function deploy(turn: boolean, opts: { certExists?: boolean; coturnRunning?: boolean } = {}) {
  const [host] = hostsFrom(inventory(turn));
  if (!host) throw new Error("no host");
  const dir = mkdtempSync(join(tmpdir(), "provision-hook-"));
  const certDir = join(dir, "coturn-certs");
  const pidfile = join(dir, "turnserver.pid");
  const hook = fileOf(renderMap(host), HOOK)
    .replaceAll(PATHS.coturnCertDir, certDir)
    .replaceAll("/var/run/turnserver.pid", pidfile);
  writeFileSync(join(dir, "hook.sh"), hook);
  for (const f of ["privkey.pem", "cert.pem", "fullchain.pem", "chain.pem"])
    writeFileSync(join(dir, f), `${f} new\n`);
  if (opts.certExists) {
    spawnSync("mkdir", ["-p", certDir]);
    writeFileSync(join(certDir, "fullchain.pem"), "old\n");
  }
  // A sleeping process stands for coturn: kill is a shell builtin, so what it received shows.
  const coturn = opts.coturnRunning ? spawn("sleep", ["30"]) : undefined;
  if (coturn) writeFileSync(pidfile, `${coturn.pid}\n`);
  // install(1) stand-in: copies, ignoring the owner; an unknown group fails as FreeBSD's
  // install does ("install: unknown group coturn", exit 67). coturn exists only with TURN.
  const bin = fakeBin({
    install: `groups=" wheel ${turn ? "coturn " : ""}"; g=""; prev=""; last=""; src=""
for a; do [ "$prev" = -g ] && g="$a"; prev="$a"; src="$last"; last="$a"; done
case "$groups" in *" $g "*) ;; *) echo "install: unknown group $g" >&2; exit 67 ;; esac
if [ "$1" = -d ]; then mkdir -p "$last"; else cp "$src" "$last"; fi`,
    service: "exit 0",
  });
  const r = spawnSync(
    "/bin/sh",
    [
      join(dir, "hook.sh"),
      "deploy_cert",
      "m.example.org",
      join(dir, "privkey.pem"),
      join(dir, "cert.pem"),
      join(dir, "fullchain.pem"),
      join(dir, "chain.pem"),
      "1700000000",
    ],
    { encoding: "utf8", env: { ...process.env, PATH: `${bin.dir}:${process.env.PATH}` } },
  );
  if (coturn) await settle();
  const signal = coturn?.signalCode ?? undefined;
  coturn?.kill();
  return { r, calls: readFileSync(bin.log, "utf8"), certDir, signal };
}

describe("dehydrated hook", () => {
  it("with TURN disabled deploys without touching coturn (no install -g coturn)", async () => {
    const { r, calls, certDir } = await deploy(false);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(calls).not.toMatch(/coturn|turnserver/);
    expect(calls).toContain("service apache24 status");
    expect(existsSync(certDir)).toBe(false);
  });

  it("with TURN, the first certificate restarts coturn so its TLS listener opens", async () => {
    const { r, calls, certDir, signal } = await deploy(true, { coturnRunning: true });
    expect(r.status).toBe(0);
    expect(readFileSync(join(certDir, "fullchain.pem"), "utf8")).toBe("fullchain.pem new\n");
    expect(calls).toContain("install -o root -g coturn -m 0640");
    expect(calls).toContain("service turnserver restart");
    expect(signal).toBeUndefined();
  });

  it("with TURN, a renewed certificate only reloads coturn (SIGUSR2), no restart", async () => {
    const { r, calls, signal } = await deploy(true, { certExists: true, coturnRunning: true });
    expect(r.status).toBe(0);
    expect(signal).toBe("SIGUSR2");
    expect(calls).not.toContain("service turnserver restart");
  });

  it("with TURN but coturn not running, deploys and starts nothing", async () => {
    const { r, calls } = await deploy(true);
    expect(r.status).toBe(0);
    expect(calls).not.toContain("turnserver");
  });
});
