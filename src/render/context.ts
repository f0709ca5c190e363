// The view model templates see: every value a template may use, already derived and named.
// Templates stay plain config files with placeholders; logic lives here, in tested code.
import { certDir, PATHS, postgresDataDir } from "../freebsd/paths.js";
import type { Host } from "../inventory/types.js";
import {
  type ScheduledBackupView,
  scheduledBackupView,
  sshKeyFile,
} from "../ops/scheduled-backup.js";
import { REQUIRED_SECRETS } from "../secrets/catalog.js";
import { OLD_SIGNING_KEYS, parseOldSigningKeys } from "../secrets/signing-key.js";
import { parseCidr } from "../util/net.js";

export type Secrets = Record<string, string>;

export interface TemplateContext {
  host: string;
  server_name: string;
  public_hostname: string;
  public_ipv4: string;
  public_ipv6: string | false;
  ipv6: boolean;
  admin_email: string;
  management_v4: string[];
  management_v6: string[];
  ssh_port: number;
  python: string;
  /** "311" for Python 3.11, as in FreeBSD package names (py311-...). */
  pythonPkg: string;
  postgresql: number;
  synapse: Omit<Host["config"]["synapse"], "email"> & {
    email: Omit<Host["config"]["synapse"]["email"], "smtp_user"> & { smtp_user: string | false };
    version: string;
    public_baseurl: string;
    federation_listener: boolean;
    federation_server: string;
    email_smtp_port: string;
    smtp_pass: string | false;
    /** synapse.install, as flags for recipes' `when:`. */
    from_pip: boolean;
    from_package: boolean;
    /** lxml for URL previews: built in the virtualenv (needs libxslt) or the py3NN-lxml package. */
    pip_url_previews: boolean;
    package_url_previews: boolean;
    /** Owner group and mode of the data and log directories (the package's rc script sets them). */
    dir_group: string;
    dir_mode: string;
    /** Replaced signing keys other servers may still need to verify old events. */
    old_signing_keys: { id: string; key: string; expired_ts: number }[];
  };
  turn: Host["config"]["turn"] & { uris: string[] };
  certificates: Omit<Host["config"]["certificates"], "acme_ca_bundle"> & {
    acme_ca_bundle: string | false;
  };
  backup: Host["config"]["backup"] & {
    /** The scheduled backup's script, cron entry and restic settings. */
    job: ScheduledBackupView;
    /** The offsite repository's secrets and host keys ("" when there is no offsite copy). */
    restic_password: string;
    restic_ssh_key: string;
    restic_known_hosts: string;
  };
  dns: Host["config"]["dns"];
  paths: typeof PATHS & {
    postgresData: string;
    certDir: string;
    certFullchain: string;
    certKey: string;
    signingKey: string;
    venvPython: string;
  };
  secrets: Secrets;
}

const secretOf = (secrets: Secrets, ref: { secret: string } | undefined) =>
  ref ? (secrets[ref.secret] ?? "") : "";

/** Builds the template context; secrets are passed in (from the store, or placeholders for a preview). */
export function buildContext(host: Host, secrets: Secrets): TemplateContext {
  const c = host.config;
  const cidrs = c.management_cidrs.map((s) => parseCidr(s));
  const v4 = cidrs.filter((x) => x?.family === 4).map((x) => x?.network as string);
  const v6 = cidrs.filter((x) => x?.family === 6).map((x) => x?.network as string);
  const cd = certDir(c.public_hostname);
  const fedOn443 = c.synapse.federation_port === 443;
  const turnHost = c.public_hostname;
  for (const s of REQUIRED_SECRETS) {
    if (secrets[s.name] === undefined)
      throw new Error(`secret ${s.name} missing for host ${host.name}`);
  }
  const smtpRef = c.synapse.email.smtp_password?.secret;
  return {
    host: host.name,
    server_name: c.server_name,
    public_hostname: c.public_hostname,
    public_ipv4: c.public_ipv4,
    public_ipv6: c.firewall.ipv6 && c.public_ipv6 ? c.public_ipv6 : false,
    ipv6: c.firewall.ipv6,
    admin_email: c.admin_email,
    management_v4: v4,
    management_v6: v6,
    ssh_port: c.firewall.ssh_port,
    python: c.versions.python,
    pythonPkg: c.versions.python.replace(".", ""),
    postgresql: c.versions.postgresql,
    synapse: {
      ...c.synapse,
      email: { ...c.synapse.email, smtp_user: c.synapse.email.smtp_user ?? false },
      version: c.versions.synapse,
      public_baseurl: `https://${c.public_hostname}/`,
      federation_listener: c.synapse.federation && !fedOn443,
      federation_server: `${c.public_hostname}:${c.synapse.federation_port}`,
      // Synapse's schema types smtp_port as a string.
      email_smtp_port: String(c.synapse.email.smtp_port),
      smtp_pass: smtpRef ? (secrets[smtpRef] ?? false) : false,
      from_pip: c.synapse.install === "pip",
      from_package: c.synapse.install === "package",
      pip_url_previews: c.synapse.install === "pip" && c.synapse.url_previews,
      package_url_previews: c.synapse.install === "package" && c.synapse.url_previews,
      dir_group: c.synapse.install === "package" ? "wheel" : "synapse",
      dir_mode: c.synapse.install === "package" ? "0755" : "0750",
      old_signing_keys: Object.entries(parseOldSigningKeys(secrets[OLD_SIGNING_KEYS])).map(
        ([id, k]) => ({ id, ...k }),
      ),
    },
    turn: {
      ...c.turn,
      uris: [
        `turns:${turnHost}:${c.turn.tls_port}?transport=tcp`,
        `turn:${turnHost}:${c.turn.port}?transport=udp`,
        `turn:${turnHost}:${c.turn.port}?transport=tcp`,
      ],
    },
    certificates: { ...c.certificates, acme_ca_bundle: c.certificates.acme_ca_bundle ?? false },
    backup: {
      ...c.backup,
      job: scheduledBackupView(host),
      restic_password: secretOf(secrets, c.backup.offsite.password),
      restic_ssh_key: sshKeyFile(secretOf(secrets, c.backup.offsite.ssh_key)),
      restic_known_hosts: (c.backup.offsite.known_hosts ?? []).map((l) => `${l}\n`).join(""),
    },
    dns: c.dns,
    paths: {
      ...PATHS,
      postgresData: postgresDataDir(c.versions.postgresql),
      certDir: cd,
      certFullchain: `${cd}/fullchain.pem`,
      certKey: `${cd}/privkey.pem`,
      signingKey: `${PATHS.synapseConfDir}/${c.server_name}.signing.key`,
      venvPython: `${PATHS.synapseVenv}/bin/python${c.versions.python}`,
    },
    secrets,
  };
}
