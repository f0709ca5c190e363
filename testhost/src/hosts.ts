// Starting and stopping test hosts: containers of the test-host image, reachable over SSH on
// a port published on 127.0.0.1, with a fresh key pair and known_hosts for each set.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";
import { type Engine, ensureEngine, findEngine } from "./engine.js";
import { debianSynapseVersion, ensureImage, type SynapseProfile } from "./image.js";
import { run } from "./run.js";

export interface TestHost {
  name: string;
  /** Container id (for docker exec in tests). */
  id: string;
  /** SSH port on 127.0.0.1. */
  port: number;
  /** The container's own address on the test network (its "public" address). */
  ip: string;
  /** The address SSH clients appear to come from (the bridge gateway). */
  gateway: string;
  hostKey: string;
}

export interface HostSet {
  dir: string;
  engine: Engine;
  hosts: TestHost[];
  keyFile: string;
  knownHosts: string;
  containers: StartedTestContainer[];
  /** The test network's ACME server (pebble), when started. */
  acme?: { directory: string; ip: string };
  /** Which Synapse the hosts run, and the version their package index offers (the one the
   *  written inventory pins). */
  synapse: { profile: SynapseProfile; version: string };
}

/** The stand-in version the written inventory pins (one of the image's STANDIN_VERSIONS). */
export const STANDIN_PINNED_VERSION = "1.157.0";

/** Where test hosts keep the ACME server's API certificate (the inventory's acme_ca_bundle). */
export const ACME_CA_BUNDLE = "/usr/local/etc/ssl/test-acme-api.pem";

export const LABEL = "org.provision.testhost";
export const RUN_LABEL = "org.provision.testhost.run";

/** No resolver outside the container: its own unbound on 127.0.0.1 and /etc/hosts only. */
function localDns(c: GenericContainer): GenericContainer {
  (c as unknown as { hostConfig: { Dns?: string[] } }).hostConfig.Dns = ["127.0.0.1"];
  return c;
}

function prepareEnv(engine: Engine): void {
  process.env.DOCKER_HOST = engine.host;
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
}

export function docker(engine: Engine, args: string[], input?: string): string {
  return run("docker", args, {
    env: { ...process.env, DOCKER_HOST: engine.host },
    ...(input !== undefined ? { input } : {}),
  });
}

/** Which revision of dma's mailer.conf the hosts ship: the older one maps no newaliases
 *  (src:libexec/dma/dmagent/mailer.conf@f7a489d8763d), the newer one does (@023fc80ee38a). */
export type MailerConf = "dma-without-newaliases" | "dma-with-newaliases";

/** Starts `count` hosts in parallel; writes id_ed25519, known_hosts and inventory.yaml into dir. */
export async function startHosts(
  count: number,
  dir: string,
  log: (s: string) => void = () => {},
  opts: { acme?: boolean; mailerConf?: MailerConf; synapse?: SynapseProfile } = {},
): Promise<HostSet> {
  const profile = opts.synapse ?? "standin";
  const mailerConf =
    opts.mailerConf ??
    (process.env.TESTHOST_MAILER_CONF as MailerConf | undefined) ??
    "dma-without-newaliases";
  const engine = await ensureEngine(log);
  prepareEnv(engine);
  const { tag } = await ensureImage(engine, log);
  const synapse = {
    profile,
    version: profile === "real" ? debianSynapseVersion(engine, tag) : STANDIN_PINNED_VERSION,
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, "id_ed25519");
  run("rm", ["-f", keyFile, `${keyFile}.pub`]);
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "provision-testhost", "-f", keyFile]);
  const pub = readFileSync(`${keyFile}.pub`, "utf8").trim();
  const session = `${Date.now().toString(36)}-${process.pid}`;
  const containers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      localDns(new GenericContainer(tag))
        .withName(`provision-testhost-${session}-${i + 1}`)
        .withHostname(`matrix${i + 1}.example.test`)
        .withLabels({ [LABEL]: dir, [RUN_LABEL]: process.env.PROVISION_TEST_RUN ?? "manual" })
        .withEnvironment({
          TESTHOST_AUTHORIZED_KEY: pub,
          TESTHOST_MAILER_CONF: mailerConf,
          TESTHOST_SYNAPSE: profile,
        })
        // Only so init can unmount Docker's bind mounts of /etc/resolv.conf and /etc/hosts.
        .withAddedCapabilities("SYS_ADMIN")
        .withExposedPorts(22)
        .withWaitStrategy(Wait.forLogMessage(/Server listening on/))
        .withStartupTimeout(60_000)
        .start(),
    ),
  );
  const acmeContainer = opts.acme === false ? undefined : await startAcme(tag, dir, session);
  if (acmeContainer) containers.push(acmeContainer);
  const hosts: TestHost[] = containers
    .filter((c) => c !== acmeContainer)
    .map((c, i) => {
      const net = containerNet(engine, c.getId());
      const hostKey = docker(engine, [
        "exec",
        c.getId(),
        "cat",
        "/etc/ssh/ssh_host_ed25519_key.pub",
      ])
        .trim()
        .split(" ")
        .slice(0, 2)
        .join(" ");
      return {
        name: `matrix${i + 1}`,
        id: c.getId(),
        port: c.getMappedPort(22),
        ip: net.IPAddress,
        gateway: net.Gateway,
        hostKey,
      };
    });
  let acme: HostSet["acme"];
  if (acmeContainer) {
    const ip = containerNet(engine, acmeContainer.getId()).IPAddress;
    const apiCert = docker(engine, [
      "exec",
      acmeContainer.getId(),
      "cat",
      "/var/db/acme-server/api.pem",
    ]);
    for (const h of hosts) {
      docker(engine, [
        "exec",
        acmeContainer.getId(),
        "curl",
        "-sf",
        "-X",
        "POST",
        "-d",
        JSON.stringify({ host: `${h.name}.example.test.`, addresses: [h.ip] }),
        "http://127.0.0.1:8055/add-a",
      ]);
      docker(
        engine,
        [
          "exec",
          "-i",
          h.id,
          "sh",
          "-c",
          `echo '${ip} pebble' >> /etc/hosts && mkdir -p /usr/local/etc/ssl && cat > ${ACME_CA_BUNDLE}`,
        ],
        apiCert,
      );
    }
    acme = { directory: "https://pebble:14000/dir", ip };
  }
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, hosts.map((h) => `[127.0.0.1]:${h.port} ${h.hostKey}\n`).join(""));
  writeFileSync(join(dir, "inventory.yaml"), inventoryFor(hosts, dir, acme, synapse.version));
  writeFileSync(
    join(dir, "hosts.json"),
    `${JSON.stringify({ engine: engine.host, hosts, acme, synapse }, null, 2)}\n`,
  );
  return {
    dir,
    engine,
    hosts,
    keyFile,
    knownHosts,
    containers,
    synapse,
    ...(acme ? { acme } : {}),
  };
}

/** A container's address and its network's gateway (where SSH clients appear to come from). */
function containerNet(engine: Engine, id: string): { IPAddress: string; Gateway: string } {
  const inspect = JSON.parse(docker(engine, ["inspect", id]))[0];
  return Object.values(inspect.NetworkSettings.Networks)[0] as {
    IPAddress: string;
    Gateway: string;
  };
}

/** pebble and its DNS in a container of the same image, on the same network as the hosts. */
async function startAcme(tag: string, dir: string, session: string): Promise<StartedTestContainer> {
  return localDns(new GenericContainer(tag))
    .withName(`provision-testhost-${session}-acme`)
    .withHostname("pebble")
    .withLabels({ [LABEL]: dir, [RUN_LABEL]: process.env.PROVISION_TEST_RUN ?? "manual" })
    .withEntrypoint(["/usr/bin/tini", "--", "/usr/local/libexec/testhost/acme-server"])
    .withWaitStrategy(Wait.forLogMessage(/Listening on: 0\.0\.0\.0:14000/))
    .withStartupTimeout(60_000)
    .start();
}

/** The example inventory, pointed at the test hosts (and the test network's ACME server). */
export function inventoryFor(
  hosts: TestHost[],
  dir: string,
  acme?: HostSet["acme"],
  synapseVersion = STANDIN_PINNED_VERSION,
): string {
  const lines = [
    "# yaml-language-server: $schema=../schema/inventory.schema.json",
    "# Test hosts started by `npm run testhost -- up`: FreeBSD-like containers reached over SSH",
    "# on 127.0.0.1. Remove them with `npm run testhost -- down --dir DIR`.",
    "all:",
    "  vars:",
    "    ssh:",
    "      user: root",
    `      key: ${join(dir, "id_ed25519")}`,
    `      known_hosts: ${join(dir, "known_hosts")}`,
    "    admin_email: admin@example.test",
    ...(acme
      ? [
          "    certificates:",
          `      acme_directory: ${acme.directory}`,
          `      acme_ca_bundle: ${ACME_CA_BUNDLE}`,
        ]
      : []),
    "    management_cidrs:",
    `      - ${hosts[0]?.gateway ?? "172.17.0.1"}/32`,
    "    versions:",
    '      freebsd: "14.3"',
    '      python: "3.11"',
    "      postgresql: 17",
    `      synapse: "${synapseVersion}"`,
    "  hosts:",
  ];
  for (const h of hosts) {
    lines.push(
      `    ${h.name}:`,
      `      server_name: ${h.name}.example.test`,
      `      public_ipv4: ${h.ip}`,
      "      ssh:",
      "        address: 127.0.0.1",
      `        port: ${h.port}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Removes every container started for dir (by label), whoever started them. */
export async function stopHosts(dir: string, log: (s: string) => void = () => {}): Promise<number> {
  const engine = await ensureEngine(log);
  const ids = docker(engine, ["ps", "-aq", "--filter", `label=${LABEL}=${dir}`])
    .split("\n")
    .filter(Boolean);
  if (ids.length > 0) docker(engine, ["rm", "-f", ...ids]);
  return ids.length;
}

/** Removes every container a test run started (whatever its tests did or failed to do). */
export async function removeRunContainers(run: string): Promise<number> {
  const engine = findEngine();
  if (!engine) return 0;
  const ids = docker(engine, ["ps", "-aq", "--filter", `label=${RUN_LABEL}=${run}`])
    .split("\n")
    .filter(Boolean);
  if (ids.length > 0) docker(engine, ["rm", "-f", ...ids]);
  return ids.length;
}
