// Semantic checks the JSON Schema cannot express. Each finds its position through the
// value's origin, so a bad value in a group's vars is reported once, where it is written.
import type { Diagnostic } from "../diagnostics.js";
import { cronScheduleError } from "../util/cron.js";
import {
  type Cidr,
  coversEverything,
  isDnsName,
  isEmail,
  isIPv4,
  isIPv6,
  parseCidr,
} from "../util/net.js";
import { describeControlChar, firstControlChar } from "../util/text.js";
import {
  compareVersions,
  MIN_SYNAPSE,
  NEWEST_POSTGRESQL,
  POSTGRESQL_EOL,
  SUPPORTED_FREEBSD_MAJORS,
  SUPPORTED_POSTGRESQL,
  SUPPORTED_PYTHON,
  SYNAPSE_MIN_POSTGRESQL,
  SYNAPSE_REQUIRES_POSTGRESQL_14,
} from "../versions.js";
import { checkBackupSchedule } from "./backup-checks.js";
import { backupDirProblem } from "./backup-dir.js";
import { checkSynapseInstall } from "./install-checks.js";
import { type MergedHost, originOf } from "./merge.js";
import type { Source } from "./source.js";
import { dotted } from "./structure.js";
import type { HostConfig } from "./types.js";

type Report = (cfgPath: string, summary: string, detail?: string) => void;

export const REQUIRED_KEYS = [
  "server_name",
  "public_ipv4",
  "management_cidrs",
  "admin_email",
] as const;

/** Ports the host listens on (besides the TURN relay range), by what uses them. */
export function listeningPorts(c: HostConfig): { port: number; what: string; path: string }[] {
  const ports = [
    { port: c.firewall.ssh_port, what: "SSH", path: "firewall.ssh_port" },
    { port: 80, what: "HTTP (ACME challenges)", path: "" },
    { port: 443, what: "HTTPS", path: "" },
    { port: 8008, what: "Synapse's local listener", path: "" },
    { port: 5432, what: "PostgreSQL", path: "" },
  ];
  if (c.synapse.federation && c.synapse.federation_port !== 443) {
    ports.push({
      port: c.synapse.federation_port,
      what: "federation",
      path: "synapse.federation_port",
    });
  }
  if (c.synapse.metrics) ports.push({ port: 9000, what: "metrics", path: "" });
  if (c.turn.enabled) {
    ports.push({ port: c.turn.port, what: "TURN", path: "turn.port" });
    ports.push({ port: c.turn.tls_port, what: "TURN over TLS", path: "turn.tls_port" });
  }
  return ports;
}

export function checkHost(source: Source, host: MergedHost, c: HostConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const explicit = (p: string) => host.origins.has(p);
  const report: Report = (cfgPath, summary, detail) => {
    const file = originOf(host, cfgPath);
    const d: Diagnostic = {
      severity: "error",
      summary,
      path: dotted(file),
      range: source.rangeAt(file),
    };
    if (detail) d.detail = detail;
    out.push(d);
  };

  checkText(host.config, "", report);

  const dns = (p: string, value: string | undefined, minLabels: number, what: string) => {
    if (value === undefined || !explicit(p)) return;
    if (!isDnsName(value, minLabels)) {
      report(p, `'${p}' must be ${what}, got ${JSON.stringify(value)}`);
    }
  };
  const fqdn =
    "a fully qualified DNS name in lower case such as matrix.example.org (no port, no trailing dot)";
  dns("server_name", c.server_name, 2, fqdn);
  dns("public_hostname", c.public_hostname, 2, fqdn);
  dns("turn.realm", c.turn.realm, 1, "a DNS name in lower case");
  dns("dns.search", c.dns.search, 1, "a DNS domain in lower case");

  if (explicit("public_ipv4") && !isIPv4(c.public_ipv4)) {
    report(
      "public_ipv4",
      `'public_ipv4' must be an IPv4 address such as 203.0.113.10, got ${JSON.stringify(c.public_ipv4)}`,
    );
  }
  if (c.public_ipv6 !== undefined && !isIPv6(c.public_ipv6)) {
    report(
      "public_ipv6",
      `'public_ipv6' must be an IPv6 address such as 2001:db8::10, got ${JSON.stringify(c.public_ipv6)}`,
    );
  }
  if (c.firewall.ipv6 && c.public_ipv6 === undefined) {
    report(
      "firewall.ipv6",
      "'firewall.ipv6' is true but the host has no public_ipv6; set public_ipv6 or leave IPv6 denied",
    );
  }
  if (
    explicit("ssh.address") &&
    !isIPv4(c.ssh.address) &&
    !isIPv6(c.ssh.address) &&
    !isDnsName(c.ssh.address)
  ) {
    report(
      "ssh.address",
      `'ssh.address' must be a DNS name or an IP address, got ${JSON.stringify(c.ssh.address)}`,
    );
  }
  if (explicit("ssh.user") && !/^[a-z_][a-z0-9_-]{0,31}$/.test(c.ssh.user)) {
    report(
      "ssh.user",
      `'ssh.user' must be a user name (lower-case letters, digits, _ and -), got ${JSON.stringify(c.ssh.user)}`,
    );
  }
  if (c.ssh.user !== "root" && c.ssh.become === "none") {
    report(
      host.origins.has("ssh.become") ? "ssh.become" : "ssh.user",
      `ssh.user is '${c.ssh.user}' but ssh.become is 'none'; provision needs root: set ssh.become to sudo or doas, or log in as root`,
    );
  }

  // Management networks: the only way in over SSH, so they must be real and never "anywhere".
  if (Array.isArray(c.management_cidrs)) {
    const seen = new Map<string, number>();
    const parsed: Cidr[] = [];
    c.management_cidrs.forEach((entry, i) => {
      const p = `management_cidrs.${i}`;
      if (typeof entry !== "string") return;
      const cidr = parseCidr(entry);
      if (!cidr) {
        report(
          p,
          `management network ${JSON.stringify(entry)} is not an IPv4/IPv6 address or CIDR such as 198.51.100.7/32`,
        );
        return;
      }
      if (cidr.prefix === 0) {
        report(
          p,
          `management network ${entry} would open SSH to the whole Internet; list only the networks you administer from`,
        );
        return;
      }
      if (cidr.hostBitsSet)
        report(p, `management network ${entry} has host bits set; did you mean ${cidr.network}?`);
      if (cidr.family === 6 && !c.firewall.ipv6) {
        report(
          p,
          `management network ${entry} is IPv6 but firewall.ipv6 is false, so it could never connect; use an IPv4 network or enable firewall.ipv6`,
        );
      }
      const prev = seen.get(cidr.network);
      if (prev !== undefined) {
        out.push({
          severity: "warning",
          summary: `management network ${entry} is listed twice (also entry ${prev + 1})`,
          path: dotted(originOf(host, p)),
          range: source.rangeAt(originOf(host, p)),
        });
      }
      seen.set(cidr.network, i);
      parsed.push(cidr);
    });
    for (const family of [4, 6] as const) {
      if (parsed.some((x) => x.prefix === 0) || !coversEverything(parsed, family)) continue;
      report(
        "management_cidrs",
        `management networks together cover the whole IPv${family} Internet (${parsed
          .filter((x) => x.family === family)
          .map((x) => x.network)
          .join(
            ", ",
          )}), which would open SSH to everyone; list only the networks you administer from`,
      );
    }
  }

  const email = (p: string, v: string | undefined) => {
    if (v !== undefined && explicit(p) && !isEmail(v)) {
      report(
        p,
        `'${p}' must be an e-mail address such as admin@example.org, got ${JSON.stringify(v)}`,
      );
    }
  };
  email("admin_email", c.admin_email);
  email("certificates.contact_email", c.certificates.contact_email);

  // Versions.
  const fbsdMajor = Number(c.versions.freebsd.split(".")[0]);
  if (!SUPPORTED_FREEBSD_MAJORS.includes(fbsdMajor)) {
    report(
      "versions.freebsd",
      `FreeBSD ${c.versions.freebsd} is not supported; use a ${SUPPORTED_FREEBSD_MAJORS.join(".x or ")}.x release`,
    );
  }
  if (!SUPPORTED_PYTHON.includes(c.versions.python)) {
    report(
      "versions.python",
      `Python ${c.versions.python} is not supported by current Synapse; use one of ${SUPPORTED_PYTHON.join(", ")}`,
    );
  }
  if (!SUPPORTED_POSTGRESQL.includes(c.versions.postgresql)) {
    const eol = POSTGRESQL_EOL[c.versions.postgresql];
    if (eol) {
      // An end-of-life major still describes existing hosts truthfully until they are upgraded.
      const file = originOf(host, "versions.postgresql");
      out.push({
        severity: "warning",
        summary: `PostgreSQL ${c.versions.postgresql} reached end of life on ${eol}; move to one of ${SUPPORTED_POSTGRESQL.join(", ")}`,
        detail: `Upgrade existing clusters with \`provision upgrade-postgres --host NAME --to ${NEWEST_POSTGRESQL}\`, then change versions.postgresql.`,
        path: dotted(file),
        range: source.rangeAt(file),
      });
    } else {
      report(
        "versions.postgresql",
        `PostgreSQL ${c.versions.postgresql} is not supported; use one of ${SUPPORTED_POSTGRESQL.join(", ")}`,
      );
    }
  }
  if (compareVersions(c.versions.synapse, MIN_SYNAPSE) < 0) {
    report(
      "versions.synapse",
      `Synapse ${c.versions.synapse} is too old; use ${MIN_SYNAPSE} or newer`,
    );
  }
  // An end-of-life major is otherwise accepted, but this Synapse would not start on it.
  if (
    POSTGRESQL_EOL[c.versions.postgresql] !== undefined &&
    c.versions.postgresql < SYNAPSE_MIN_POSTGRESQL &&
    compareVersions(c.versions.synapse, SYNAPSE_REQUIRES_POSTGRESQL_14) >= 0
  ) {
    report(
      "versions.postgresql",
      `Synapse ${c.versions.synapse} needs PostgreSQL ${SYNAPSE_MIN_POSTGRESQL} or newer (Synapse ${SYNAPSE_REQUIRES_POSTGRESQL_14} dropped PostgreSQL ${SYNAPSE_MIN_POSTGRESQL - 1}), got versions.postgresql ${c.versions.postgresql}`,
      `For a new host, choose versions.postgresql ${SYNAPSE_MIN_POSTGRESQL} or newer (${SUPPORTED_POSTGRESQL.join(", ")} are supported). For a host already running PostgreSQL ${c.versions.postgresql}, keep versions.synapse below ${SYNAPSE_REQUIRES_POSTGRESQL_14}, run \`provision upgrade-postgres --host NAME --to ${NEWEST_POSTGRESQL}\` first, then set versions.postgresql: ${NEWEST_POSTGRESQL} and raise versions.synapse.`,
    );
  }

  checkSynapseInstall(c, report);

  // Ports: nothing may listen twice, and the TURN relay range must stay clear of every listener.
  const ports = listeningPorts(c);
  const byPort = new Map<number, string>();
  for (const p of ports) {
    const other = byPort.get(p.port);
    if (other !== undefined && p.path)
      report(
        p.path,
        `port ${p.port} for ${p.what} is already used by ${other}; choose another port`,
      );
    byPort.set(p.port, p.what);
  }
  if (c.turn.enabled) {
    if (c.turn.min_port > c.turn.max_port) {
      report(
        "turn.min_port",
        `TURN relay range ${c.turn.min_port}-${c.turn.max_port} is empty: min_port must not exceed max_port`,
      );
    } else {
      for (const p of ports) {
        if (p.port >= c.turn.min_port && p.port <= c.turn.max_port) {
          report(
            "turn.min_port",
            `TURN relay range ${c.turn.min_port}-${c.turn.max_port} overlaps port ${p.port} (${p.what}); move the range above it`,
          );
        }
      }
    }
  }

  // Certificates.
  if (explicit("certificates.acme_directory")) {
    let url: URL | undefined;
    try {
      url = new URL(c.certificates.acme_directory);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== "https:" || /["'\s\\`$]/.test(c.certificates.acme_directory)) {
      report(
        "certificates.acme_directory",
        `'certificates.acme_directory' must be an https:// URL of an ACME directory, got ${JSON.stringify(c.certificates.acme_directory)}`,
      );
    }
  }
  const cronError = cronScheduleError(c.certificates.renew_schedule);
  if (cronError)
    report("certificates.renew_schedule", `'certificates.renew_schedule': ${cronError}`);

  for (const p of ["certificates.acme_ca_bundle", "backup.dir"]) {
    const v = p === "backup.dir" ? c.backup.dir : c.certificates.acme_ca_bundle;
    if (v !== undefined && explicit(p) && !/^\/[A-Za-z0-9._/-]*$/.test(v)) {
      report(
        p,
        `'${p}' must be an absolute path of letters, digits, '.', '_', '-' and '/', got ${JSON.stringify(v)}`,
      );
      continue;
    }
    const problem = p === "backup.dir" && explicit(p) ? backupDirProblem(c.backup.dir) : undefined;
    if (problem) {
      report(
        p,
        `'backup.dir' ${JSON.stringify(c.backup.dir)} ${problem}; the plan gives it to postgres, so choose a directory of its own such as /var/db/postgres/backups`,
      );
    }
  }

  checkBackupSchedule(c, explicit, report);

  // E-mail for notifications.
  const mail = c.synapse.email;
  if (
    explicit("synapse.email.smtp_host") &&
    !isDnsName(mail.smtp_host) &&
    !isIPv4(mail.smtp_host) &&
    !isIPv6(mail.smtp_host)
  ) {
    report(
      "synapse.email.smtp_host",
      `'smtp_host' must be a DNS name or an IP address, got ${JSON.stringify(mail.smtp_host)}`,
    );
  }
  if (explicit("synapse.email.notif_from")) {
    const m = /^([^<>]*)<([^<>]+)>$/.exec(mail.notif_from.trim());
    if (!m || !isEmail(m[2] ?? "")) {
      report(
        "synapse.email.notif_from",
        `'notif_from' must look like 'Name <address@example.org>', got ${JSON.stringify(mail.notif_from)}`,
      );
    }
  }
  if (mail.smtp_password && mail.smtp_user === undefined) {
    report(
      "synapse.email.smtp_password",
      "'smtp_password' is set but 'smtp_user' is not; set both or neither",
    );
  }
  return out;
}

/**
 * Values end up in config files and shell commands one line each: control characters (newline,
 * tab, escape...) are never valid, and quotes, backslashes, $ and backticks are refused in
 * free text where they could close a quoted string.
 */
function checkText(value: unknown, path: string, report: Report): void {
  if (typeof value === "string") {
    const ctrl = firstControlChar(value);
    if (ctrl) {
      report(
        path,
        `'${path}' contains ${describeControlChar(ctrl)}; every value must fit on one line without control characters`,
      );
      return;
    }
    if (/["\\`$]/.test(value)) {
      report(
        path,
        `'${path}' contains a quote, backslash, $ or backtick, which could break out of the config file or shell command it is written to; remove it`,
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkText(v, path ? `${path}.${i}` : String(i), report);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) checkText(v, path ? `${path}.${k}` : k, report);
  }
}
