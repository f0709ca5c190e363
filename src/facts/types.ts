// Facts: what a read-only probe of the host found. Resources compare them with the desired
// state; tests build them by hand (pyinfra-style) to check the actions resources yield.

export interface FileFact {
  type: "file" | "directory" | "symlink" | "other";
  /** Octal permission bits, e.g. "0644". */
  mode: string;
  owner: string;
  group: string;
  sha256?: string;
}

export interface ServiceFact {
  /** An rc.d script of that name exists. */
  installed: boolean;
  running: boolean;
}

export interface UserFact {
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface PgRoleFact {
  canLogin: boolean;
  /** SCRAM verifier (never a password); empty when the role has none. */
  verifier: string;
}

export interface PgDatabaseFact {
  owner: string;
  encoding: string;
  collate: string;
  ctype: string;
}

export interface CertFact {
  notAfter: Date;
  serial: string;
  subject: string;
}

export interface Facts {
  os: { system: string; version: string; sshClient?: string };
  /** Whether pkg is bootstrapped. */
  pkgReady: boolean;
  packages: Map<string, string>;
  /** Versions the package repository offers (its cached catalogue), for packages asked about. */
  repoVersions?: Map<string, string>;
  /** rc.conf variables as rc.subr sees them (defaults included); absent = unset. */
  rc: Map<string, string>;
  services: Map<string, ServiceFact>;
  files: Map<string, FileFact | null>;
  users: Map<string, UserFact | null>;
  groups: Map<string, { gid: number; members: string[] } | null>;
  /** Virtualenv path -> installed distributions (normalised name -> version); null = no venv. */
  venvs: Map<string, Map<string, string> | null>;
  /** null when PostgreSQL is not running (nothing could be asked). */
  postgres: { roles: Map<string, PgRoleFact>; databases: Map<string, PgDatabaseFact> } | null;
  certs: Map<string, CertFact | null>;
  /** Guard probes ("unless"/"onlyif" commands) by id -> exit code. */
  guards: Map<string, number>;
}

/** What a set of resources needs to know; gathered in one batched script. */
export interface FactRequest {
  rc: Set<string>;
  services: Set<string>;
  files: Set<string>;
  users: Set<string>;
  groups: Set<string>;
  venvs: Set<string>;
  postgres: boolean;
  certs: Set<string>;
  guards: Map<string, string>;
  /** Packages whose repository version the plan shows. */
  repoVersions?: Set<string>;
}

export function emptyRequest(): FactRequest {
  return {
    rc: new Set(),
    services: new Set(),
    files: new Set(),
    users: new Set(),
    groups: new Set(),
    venvs: new Set(),
    postgres: false,
    certs: new Set(),
    guards: new Map(),
  };
}

/** Facts of a blank FreeBSD host: what `plan --assume-fresh` plans against. */
export function freshFacts(req: FactRequest): Facts {
  const defaults: Record<string, string> = {
    sshd_enable: "YES",
    cron_enable: "YES",
    syslogd_enable: "YES",
    ntpd_enable: "NO",
    local_unbound_enable: "NO",
    firewall_enable: "NO",
    firewall_script: "/etc/rc.firewall",
    firewall_type: "UNKNOWN",
    firewall_quiet: "NO",
    firewall_logging: "NO",
    clear_tmp_enable: "NO",
    dumpdev: "AUTO",
    syslogd_flags: "-s",
  };
  const baseFiles: Record<string, FileFact> = {
    "/etc/resolv.conf": { type: "file", mode: "0644", owner: "root", group: "wheel" },
    "/etc/mail/aliases": { type: "file", mode: "0644", owner: "root", group: "wheel" },
  };
  return {
    os: { system: "FreeBSD", version: "14.3-RELEASE" },
    pkgReady: false,
    packages: new Map(),
    rc: new Map([...req.rc].filter((v) => v in defaults).map((v) => [v, defaults[v] as string])),
    services: new Map(
      [...req.services].map((s) => [
        s,
        {
          installed: ["sshd", "cron", "ntpd", "local_unbound", "ipfw"].includes(s),
          running: s === "sshd" || s === "cron",
        },
      ]),
    ),
    files: new Map([...req.files].map((f) => [f, baseFiles[f] ?? null])),
    users: new Map(
      [...req.users].map((u) => [
        u,
        u === "root" ? { uid: 0, gid: 0, home: "/root", shell: "/bin/sh" } : null,
      ]),
    ),
    groups: new Map(
      [...req.groups].map((g) => [g, g === "wheel" ? { gid: 0, members: ["root"] } : null]),
    ),
    venvs: new Map([...req.venvs].map((v) => [v, null])),
    postgres: null,
    certs: new Map([...req.certs].map((c) => [c, null])),
    guards: new Map([...req.guards.keys()].map((g) => [g, 1])),
  };
}
