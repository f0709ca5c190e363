// Where the end-to-end tests run: the local test hosts (default), or one real FreeBSD host named
// by environment variables (docs/real-freebsd.md):
//
//   PROVISION_E2E_TARGET=root@203.0.113.5:22   who and where (user@address[:port]; [v6]:port)
//   PROVISION_E2E_KEY=~/.ssh/id_ed25519        private key for that login
//   PROVISION_E2E_KNOWN_HOSTS=./known_hosts    holds the host's key (checked, never added)
//   PROVISION_E2E_PUBLIC_IPV4=203.0.113.5      optional: the host's own address (else asked)
//   PROVISION_E2E_ACME_DIRECTORY=https://...   optional: an ACME server the host reaches and
//                                              that reaches the host for http-01
//   PROVISION_E2E_ACME_CA_BUNDLE=/path         optional: its API certificate, on the host
//   PROVISION_E2E_SYNAPSE_INSTALL=package      optional: FreeBSD's package instead of pip
//
// A real host is changed by the suite (packages, services, firewall): it cannot be put back.
// stop() says what changed (packages, rc.conf, users, rc.d scripts) and writes it to
// DIR/changes.txt.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { q } from "../../src/connector/quote.js";
import { ACME_CA_BUNDLE, type HostSet, inventoryFor } from "../../testhost/src/hosts.js";
import type { SynapseProfile } from "../../testhost/src/image.js";
import { sh as dockerSh, type ExecResult, testHosts } from "./testhost.js";

export interface RealTarget {
  user: string;
  address: string;
  port: number;
  key: string;
  knownHosts: string;
}

export interface E2EHost {
  name: string;
  /** SSH port the inventory uses. */
  port: number;
  /** The host's own ("public") address. */
  ip: string;
  /** The address this machine's SSH connections come from, as the host sees it. */
  gateway: string;
}

/** What a test file converged, for the describe blocks it hands its hosts to. */
export interface Converged<S = E2EHosts> {
  set: S;
  inv: string;
  env: Record<string, string>;
}

export interface E2EHosts {
  /** Holds inventory.yaml (and whatever the tests add). */
  dir: string;
  hosts: E2EHost[];
  /** A real FreeBSD host, not the local test hosts. */
  real: boolean;
  /** An ACME server the hosts reach (the test network's pebble, or PROVISION_E2E_ACME_DIRECTORY). */
  acme: boolean;
  /** Whether Synapse is the real one (a FreeBSD host, or the test hosts' "real" profile). */
  realSynapse: boolean;
  /** The local test hosts behind this set (engine, containers, Synapse version); none on a real host. */
  local?: HostSet;
  exec(host: number, command: string, input?: string): ExecResult;
  stop(): Promise<void>;
}

const expandHome = (p: string) => (p.startsWith("~/") ? join(homedir(), p.slice(2)) : p);

/** The real target named by the environment, if any; malformed values are an error. */
export function realTarget(env: NodeJS.ProcessEnv = process.env): RealTarget | undefined {
  const spec = env.PROVISION_E2E_TARGET;
  if (!spec) return undefined;
  const m = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^:@\s[\]]+)(?::(\d+))?$/.exec(spec);
  if (!m)
    throw new Error(
      `PROVISION_E2E_TARGET=${spec}: expected user@address[:port], e.g. root@203.0.113.5:22`,
    );
  const key = env.PROVISION_E2E_KEY;
  const knownHosts = env.PROVISION_E2E_KNOWN_HOSTS;
  if (!key || !knownHosts)
    throw new Error(
      "PROVISION_E2E_TARGET needs PROVISION_E2E_KEY (private key) and PROVISION_E2E_KNOWN_HOSTS (a known_hosts file holding the host's key)",
    );
  return {
    user: m[1] ?? "root",
    address: (m[2] as string).replace(/^\[|\]$/g, ""),
    port: Number(m[3] ?? 22),
    key: expandHome(key),
    knownHosts: expandHome(knownHosts),
  };
}

/** Runs a shell command on the real host as its SSH login (root) with OpenSSH. */
export function sshExec(t: RealTarget, command: string, input?: string): ExecResult {
  const r = spawnSync(
    "ssh",
    [
      ...["-i", t.key, "-p", String(t.port)],
      ...["-o", `UserKnownHostsFile=${t.knownHosts}`, "-o", "StrictHostKeyChecking=yes"],
      ...["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=20"],
      `${t.user}@${t.address}`,
      `/bin/sh -c ${q(command)}`,
    ],
    { encoding: "utf8", input: input ?? "", timeout: 600_000 },
  );
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** What a real run may change, listed before and after (read-only commands). */
const SNAPSHOT = [
  "echo '# packages'; pkg query '%n-%v' 2>/dev/null | sort",
  "echo '# rc.conf'; cat /etc/rc.conf 2>/dev/null",
  "echo '# users'; cut -d: -f1 /etc/passwd | sort",
  "echo '# rc.d'; ls /usr/local/etc/rc.d 2>/dev/null",
].join("; ");

/** Lines only in `before` (-) and only in `after` (+), per section. */
export function snapshotDiff(before: string, after: string): string[] {
  const sections = (text: string) => {
    const out = new Map<string, Set<string>>();
    let cur = "";
    for (const line of text.split("\n")) {
      if (line.startsWith("# ")) {
        cur = line.slice(2);
        out.set(cur, new Set());
      } else if (line.trim()) out.get(cur)?.add(line);
    }
    return out;
  };
  const a = sections(before);
  const b = sections(after);
  const lines: string[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(name) ?? new Set<string>();
    const now = b.get(name) ?? new Set<string>();
    for (const l of was) if (!now.has(l)) lines.push(`${name}: - ${l}`);
    for (const l of now) if (!was.has(l)) lines.push(`${name}: + ${l}`);
  }
  return lines;
}

/** The inventory the test hosts get, pointed at the real host. */
export function inventoryForReal(
  t: RealTarget,
  dir: string,
  ip: string,
  from: string,
  acme?: string,
): string {
  const bundle = process.env.PROVISION_E2E_ACME_CA_BUNDLE;
  const install = process.env.PROVISION_E2E_SYNAPSE_INSTALL;
  const host = { name: "matrix1", id: "", port: t.port, ip, gateway: from, hostKey: "" };
  let text = inventoryFor([host], dir, acme ? { directory: acme, ip: "" } : undefined);
  const swap = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`inventory for the real host: no '${from.trim()}'`);
    text = text.replace(from, to);
  };
  swap("      user: root\n", `      user: ${t.user}\n`);
  swap(`      key: ${join(dir, "id_ed25519")}\n`, `      key: ${t.key}\n`);
  swap(`      known_hosts: ${join(dir, "known_hosts")}\n`, `      known_hosts: ${t.knownHosts}\n`);
  swap("        address: 127.0.0.1\n", `        address: "${t.address}"\n`);
  if (acme)
    swap(
      `      acme_ca_bundle: ${ACME_CA_BUNDLE}\n`,
      bundle ? `      acme_ca_bundle: ${bundle}\n` : "",
    );
  if (from.includes(":")) swap(`      - ${from}/32\n`, `      - ${from}/128\n`);
  if (install) swap("  vars:\n", `  vars:\n    synapse:\n      install: ${install}\n`);
  return text;
}

let acmeVerdict: { reachable: boolean; why?: string } | undefined;

/**
 * Whether an ACME server is reachable from the hosts: always for the test hosts (their pebble);
 * for a real host, only when PROVISION_E2E_ACME_DIRECTORY is set and the host can fetch it.
 * Synchronous, so tests can skip at collection time with the reason.
 */
export function acmeReachable(): { reachable: boolean; why?: string } {
  const t = realTarget();
  if (!t) return { reachable: true };
  if (acmeVerdict) return acmeVerdict;
  const dirUrl = process.env.PROVISION_E2E_ACME_DIRECTORY;
  const bundle = process.env.PROVISION_E2E_ACME_CA_BUNDLE;
  if (!dirUrl) {
    acmeVerdict = {
      reachable: false,
      why: "no ACME server: set PROVISION_E2E_ACME_DIRECTORY (docs/real-freebsd.md)",
    };
    return acmeVerdict;
  }
  const r = sshExec(
    t,
    `fetch -q -o /dev/null ${bundle ? `--ca-cert=${q(bundle)} ` : ""}${q(dirUrl)}`,
  );
  acmeVerdict =
    r.code === 0
      ? { reachable: true }
      : { reachable: false, why: `the host cannot fetch ${dirUrl}: ${r.stderr.trim()}` };
  return acmeVerdict;
}

/** Why a test that needs what only the local test hosts offer cannot run here, if so. */
export function testHostsOnly(what: string): string | undefined {
  return realTarget() ? `needs ${what} (local test hosts only)` : undefined;
}

async function startReal(t: RealTarget): Promise<E2EHosts> {
  const exec = (_host: number, command: string, input?: string) => sshExec(t, command, input);
  const os = sshExec(t, "uname -s; freebsd-version");
  if (os.code !== 0) throw new Error(`cannot reach ${t.address}:${t.port}: ${os.stderr.trim()}`);
  if (!os.stdout.startsWith("FreeBSD\n"))
    throw new Error(`${t.address} runs ${os.stdout.split("\n")[0]}, not FreeBSD`);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  const from = sshExec(t, 'echo "${SSH_CLIENT%% *}"').stdout.trim();
  const ip =
    process.env.PROVISION_E2E_PUBLIC_IPV4 ??
    sshExec(
      t,
      "ifconfig \"$(route -n get default | awk '/interface:/ {print $2}')\" inet | awk '/inet / {print $2; exit}'",
    ).stdout.trim();
  if (!from || !ip)
    throw new Error(`cannot tell the addresses of ${t.address} (got '${from}', '${ip}')`);
  const dir = mkdtempSync(join(tmpdir(), "provision-real-"));
  const acme = acmeReachable().reachable ? process.env.PROVISION_E2E_ACME_DIRECTORY : undefined;
  writeFileSync(join(dir, "inventory.yaml"), inventoryForReal(t, dir, ip, from, acme));
  const before = sshExec(t, SNAPSHOT).stdout;
  writeFileSync(join(dir, "before.txt"), before);
  return {
    dir,
    hosts: [{ name: "matrix1", port: t.port, ip, gateway: from }],
    real: true,
    acme: acme !== undefined,
    realSynapse: true,
    exec,
    stop: async () => {
      const changes = snapshotDiff(before, sshExec(t, SNAPSHOT).stdout);
      const report = [
        `What the end-to-end tests changed on ${t.address} (it is not undone):`,
        ...(changes.length ? changes.map((l) => `  ${l}`) : ["  nothing listed"]),
        "  plus the files provision manages (docs/templates.md) and the ipfw rules.",
      ].join("\n");
      writeFileSync(join(dir, "changes.txt"), `${report}\n`);
      process.stderr.write(`${report}\n(also in ${join(dir, "changes.txt")})\n`);
    },
  };
}

/**
 * Hosts for one test file: `count` local test hosts, or the one real host when
 * PROVISION_E2E_TARGET is set (tests that need more hosts skip through testHostsOnly).
 */
export async function e2eHosts(
  count = 1,
  opts: { acme?: boolean; synapse?: SynapseProfile } = {},
): Promise<E2EHosts> {
  const t = realTarget();
  if (t) return startReal(t);
  const set = await testHosts(count, opts);
  return {
    dir: set.dir,
    hosts: set.hosts,
    real: false,
    acme: set.acme !== undefined,
    realSynapse: set.synapse.profile === "real",
    local: set,
    exec: (host, command, input) => dockerSh(set, host, command, input),
    stop: set.stop,
  };
}

/** `su` to a user whose shell is nologin: Linux su needs -s for that, FreeBSD's has no -s. */
export function suAs(set: E2EHosts, user: string): string {
  return set.real ? `su -m ${user} -c` : `su -m -s /bin/sh ${user} -c`;
}

/** Runs a shell command as root on host `host` of the set (docker exec or SSH). */
export function sh(set: E2EHosts, host: number, command: string, input?: string): ExecResult {
  return set.exec(host, command, input);
}
