// The merged, defaulted configuration of one host. Mirrors schema/inventory.schema.json (hostVars).

export interface SecretRef {
  secret: string;
}

export interface HostConfig {
  ssh: {
    address: string;
    port: number;
    user: string;
    key?: string;
    become: "none" | "sudo" | "doas";
    known_hosts?: string;
  };
  server_name: string;
  public_hostname: string;
  public_ipv4: string;
  public_ipv6?: string;
  management_cidrs: string[];
  admin_email: string;
  versions: { freebsd: string; python: string; postgresql: number; synapse: string };
  synapse: {
    /** pip: a virtualenv with versions.synapse; package: FreeBSD's py311-matrix-synapse. */
    install: "pip" | "package";
    registration: boolean;
    guest_access: boolean;
    max_upload_size: string;
    url_previews: boolean;
    metrics: boolean;
    presence: boolean;
    report_stats: boolean;
    federation: boolean;
    federation_port: number;
    well_known: boolean;
    log_level: "DEBUG" | "INFO" | "WARNING" | "ERROR";
    /** Test networks only: the test CA Synapse trusts for federation, private ranges it may reach. */
    test_federation?: { ca_file: string; allow_ranges: string[] };
    email: {
      notifications: boolean;
      smtp_host: string;
      smtp_port: number;
      smtp_user?: string;
      smtp_password?: SecretRef;
      require_transport_security: boolean;
      notif_from: string;
      app_name: string;
    };
  };
  turn: {
    enabled: boolean;
    realm: string;
    port: number;
    tls_port: number;
    min_port: number;
    max_port: number;
    user_quota: number;
    total_quota: number;
    user_lifetime: string;
    allow_guests: boolean;
  };
  certificates: {
    acme_directory: string;
    acme_ca_bundle?: string;
    contact_email: string;
    renew_schedule: string;
    renew_days: number;
    key_algo: "rsa" | "prime256v1" | "secp384r1";
  };
  firewall: { ipv6: boolean; ssh_port: number; confirm_timeout: number };
  backup: {
    postgres_daily: boolean;
    vacuum_daily: boolean;
    dir: string;
    keep_days: number;
    scheduled: { enabled: boolean; schedule: string; dir: string; keep: number };
    offsite: {
      repository?: string;
      password?: SecretRef;
      ssh_key?: SecretRef;
      ssh_port: number;
      known_hosts?: string[];
      keep: number;
    };
  };
  dns: { search: string };
  secrets: { file?: string; identity_file?: string };
}

export interface Host {
  name: string;
  groups: string[];
  config: HostConfig;
  /** ssh.* keys the inventory sets itself (the rest may come from ~/.ssh/config). */
  sshExplicit: string[];
}

export interface Inventory {
  file: string;
  hosts: Host[];
  /** Secrets store settings (from all.vars.secrets). */
  secrets: { file: string; identityFile?: string };
}
