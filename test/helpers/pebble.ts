// A real ACME server for tests: Debian's pebble and its mock DNS (pebble-challtestsrv), on this
// machine, listening on the test hosts' bridge address so hosts reach it and it reaches them.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostSet } from "../../testhost/src/hosts.js";
import { freePort, startProcess, waitFor } from "./procs.js";
import { sh } from "./testhost.js";

export interface Pebble {
  /** ACME directory URL as the test hosts see it. */
  directory: string;
  /** PEM of the certificate pebble's API presents (the hosts' acme_ca_bundle). */
  apiCert: string;
  gateway: string;
  port: number;
  addHost(name: string, ip: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPebble(gateway: string): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), "provision-pebble-"));
  const cert = join(dir, "api.pem");
  const key = join(dir, "api-key.pem");
  const gen = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=pebble",
      "-addext",
      `subjectAltName=DNS:pebble,IP:${gateway}`,
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { encoding: "utf8" },
  );
  if (gen.status !== 0) throw new Error(`openssl: ${gen.stderr}`);
  const dnsPort = await freePort();
  const mgmtPort = await freePort();
  const acmePort = await freePort();
  const pebbleMgmt = await freePort();
  writeFileSync(
    join(dir, "pebble.json"),
    JSON.stringify({
      pebble: {
        listenAddress: `${gateway}:${acmePort}`,
        managementListenAddress: `127.0.0.1:${pebbleMgmt}`,
        certificate: cert,
        privateKey: key,
        httpPort: 80,
        tlsPort: 443,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const dns = startProcess("pebble-challtestsrv", [
    "-dns01",
    `127.0.0.1:${dnsPort}`,
    "-management",
    `127.0.0.1:${mgmtPort}`,
    "-http01",
    "",
    "-https01",
    "",
    "-tlsalpn01",
    "",
    "-defaultIPv4",
    "",
    "-defaultIPv6",
    "",
  ]);
  // The challenge is really fetched: no PEBBLE_VA_ALWAYS_VALID. No artificial sleeps or nonce rejections.
  const pebble = startProcess(
    "pebble",
    ["-config", join(dir, "pebble.json"), "-dnsserver", `127.0.0.1:${dnsPort}`],
    {
      env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
    },
  );
  await waitFor(
    "pebble to listen",
    () => (pebble.output().includes("Listening on") ? true : undefined),
    20_000,
  );
  await waitFor(
    "challtestsrv to listen",
    () => (dns.output().includes("Starting management server") ? true : undefined),
    20_000,
  ).catch(() => true);
  return {
    directory: `https://pebble:${acmePort}/dir`,
    apiCert: spawnSync("cat", [cert], { encoding: "utf8" }).stdout,
    gateway,
    port: acmePort,
    async addHost(name: string, ip: string) {
      const r = await fetch(`http://127.0.0.1:${mgmtPort}/add-a`, {
        method: "POST",
        body: JSON.stringify({ host: `${name}.`, addresses: [ip] }),
      });
      if (!r.ok) throw new Error(`challtestsrv add-a: ${r.status}`);
    },
    async stop() {
      await pebble.stop();
      await dns.stop();
    },
  };
}

/** Points a test-host set at a fresh pebble: DNS for each host, pebble's API certificate on each host, inventory updated. */
export async function usePebble(set: HostSet, inventory: string): Promise<Pebble> {
  const first = set.hosts[0];
  if (!first) throw new Error("no hosts");
  const pebble = await startPebble(first.gateway);
  for (const [i, h] of set.hosts.entries()) {
    await pebble.addHost(`${h.name}.example.test`, h.ip);
    sh(
      set,
      i,
      `echo '${h.gateway} pebble' >> /etc/hosts && mkdir -p /usr/local/etc/ssl && cat > /usr/local/etc/ssl/pebble-api.pem`,
      pebble.apiCert,
    );
  }
  const text = readFileSync(inventory, "utf8").replace(
    "    admin_email: admin@example.test\n",
    `    admin_email: admin@example.test\n    certificates:\n      acme_directory: ${pebble.directory}\n      acme_ca_bundle: /usr/local/etc/ssl/pebble-api.pem\n`,
  );
  writeFileSync(inventory, text);
  return pebble;
}
