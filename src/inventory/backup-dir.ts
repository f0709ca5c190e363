// backup.dir is created and re-owned to postgres by the plan: it must be a directory of its own,
// never a system directory, an ancestor of something provision manages, or inside one.

import { PATHS, postgresDataDir } from "../freebsd/paths.js";

/** hier(7) directories of a FreeBSD system that must never change owner. */
const SYSTEM_DIRS = new Set(
  [
    "/bin /boot /compat /dev /etc /home /lib /libexec /media /mnt /net /proc /rescue /root /sbin /tmp /usr /var",
    "/usr/bin /usr/include /usr/lib /usr/lib32 /usr/libdata /usr/libexec /usr/local /usr/obj /usr/ports /usr/sbin /usr/share /usr/src /usr/tests",
    "/usr/local/bin /usr/local/etc /usr/local/include /usr/local/lib /usr/local/libexec /usr/local/sbin /usr/local/share /usr/local/www",
    "/var/account /var/at /var/audit /var/backups /var/cache /var/crash /var/cron /var/db /var/empty /var/log /var/mail /var/msgs /var/preserve /var/run /var/spool /var/tmp /var/unbound /var/yp",
  ]
    .join(" ")
    .split(" "),
);

/** Directories provision fills itself: a backup directory may be neither one of them nor inside one. */
function managedDirs(): string[] {
  const dirs: string[] = [
    PATHS.synapseVenv,
    "/usr/local/lib/matrix-synapse",
    PATHS.synapseConfDir,
    PATHS.synapseDataDir,
    PATHS.synapseLogDir,
    PATHS.apacheConfDir,
    PATHS.apacheDocRoot,
    PATHS.acmeWebroot,
    PATHS.dehydratedDir,
    PATHS.coturnCertDir,
    "/var/backups/provision", // where replaced files are kept
  ];
  for (let major = 9; major <= 30; major++) dirs.push(postgresDataDir(major));
  return dirs;
}

const within = (child: string, parent: string) => child.startsWith(`${parent}/`);

/** What is wrong with a backup directory, or undefined when it is acceptable. */
export function backupDirProblem(dir: string): string | undefined {
  if (!dir.startsWith("/")) return "must be an absolute path";
  if (dir === "/" || SYSTEM_DIRS.has(dir)) return "is a system directory";
  const parts = dir.split("/").slice(1);
  if (parts.some((p) => p === "." || p === "..")) return "must not contain '.' or '..' components";
  if (parts.some((p) => p === "")) return "must not contain '//' or end with '/'";
  const managed = [...managedDirs(), ...Object.values(PATHS)];
  const below = managed.find((m) => within(m, dir));
  if (below) return `is an ancestor of ${below}, which provision manages`;
  const owner = managedDirs().find((m) => m === dir || within(dir, m));
  if (owner)
    return owner === dir
      ? "is a directory provision manages"
      : `is inside ${owner}, which provision manages`;
  return undefined;
}
