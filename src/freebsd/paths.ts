// Where things live on the FreeBSD host. One place, so templates, recipes and facts agree.
export const PATHS = {
  synapseVenv: "/usr/local/lib/matrix-synapse/venv",
  synapseConfDir: "/usr/local/etc/matrix-synapse",
  synapseConf: "/usr/local/etc/matrix-synapse/homeserver.yaml",
  synapseLogConfig: "/usr/local/etc/matrix-synapse/log.config",
  synapseDataDir: "/var/db/matrix-synapse",
  synapseMediaStore: "/var/db/matrix-synapse/media_store",
  synapseLogDir: "/var/log/matrix-synapse",
  synapsePidFile: "/var/run/matrix-synapse/homeserver.pid",
  synapseRcScript: "/usr/local/etc/rc.d/synapse",
  firewallScript: "/etc/rc.firewall.matrix",
  apacheConfDir: "/usr/local/etc/apache24",
  apacheDocRoot: "/usr/local/www/matrix",
  acmeWebroot: "/usr/local/www/dehydrated",
  dehydratedDir: "/usr/local/etc/dehydrated",
  coturnConf: "/usr/local/etc/turnserver.conf",
  coturnCertDir: "/usr/local/etc/coturn/certs",
  dhParams: "/usr/local/etc/ssl/dhparam.pem",
  postgresHome: "/var/db/postgres",
  /** Where upgrade-postgres writes its dump by default (owned by postgres, who writes it). */
  upgradeDumpDir: "/var/db/postgres/upgrade",
  /** upgrade-postgres's own state: root's, 0700, apart from anything postgres can write. */
  upgradeStateDir: "/var/db/provision/upgrade",
  /** lockf(1) file that keeps two upgrade steps from overlapping. */
  upgradeLock: "/var/run/provision-upgrade.lock",
} as const;

/** The FreeBSD postgresql rc script's default data directory for a major version. */
export function postgresDataDir(major: number): string {
  return `${PATHS.postgresHome}/data${major}`;
}

export function certDir(hostname: string): string {
  return `${PATHS.dehydratedDir}/certs/${hostname}`;
}
