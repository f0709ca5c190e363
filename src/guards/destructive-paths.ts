// Guard: may provision delete (or re-own) a whole directory tree at this path on a FreeBSD host?
// A string check, so it runs before any host is contacted; symbolic links can only be seen on the
// host, so every remote delete also runs `canonicalPathScript` there.
import { q } from "../connector/quote.js";
import { PATHS } from "../freebsd/paths.js";

/** FreeBSD's own layout (hier(7)): neither these nor anything that contains them is removed. */
export const SYSTEM_DIRECTORIES: readonly string[] = [
  "/",
  "/bin",
  "/boot",
  "/compat",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/libexec",
  "/media",
  "/mnt",
  "/net",
  "/proc",
  "/rescue",
  "/root",
  "/sbin",
  "/tmp",
  "/usr",
  "/usr/bin",
  "/usr/home",
  "/usr/include",
  "/usr/lib",
  "/usr/lib32",
  "/usr/libdata",
  "/usr/libexec",
  "/usr/local",
  "/usr/local/bin",
  "/usr/local/etc",
  "/usr/local/include",
  "/usr/local/lib",
  "/usr/local/libexec",
  "/usr/local/sbin",
  "/usr/local/share",
  "/usr/local/www",
  "/usr/obj",
  "/usr/ports",
  "/usr/sbin",
  "/usr/share",
  "/usr/src",
  "/usr/tests",
  "/var",
  "/var/backups",
  "/var/cache",
  "/var/crash",
  "/var/cron",
  "/var/db",
  "/var/db/pkg",
  "/var/empty",
  "/var/log",
  "/var/mail",
  "/var/run",
  "/var/spool",
  "/var/tmp",
];

/** Directories provision manages: removing one (or what contains it) would break the server. */
export const MANAGED_DIRECTORIES: readonly string[] = [
  PATHS.postgresHome,
  PATHS.synapseVenv,
  PATHS.synapseConfDir,
  PATHS.synapseDataDir,
  PATHS.synapseMediaStore,
  PATHS.synapseLogDir,
  PATHS.apacheConfDir,
  PATHS.apacheDocRoot,
  PATHS.acmeWebroot,
  PATHS.dehydratedDir,
  PATHS.coturnCertDir,
  PATHS.upgradeStateDir,
];

const isWithin = (inner: string, outer: string) =>
  outer === "/" || inner === outer || inner.startsWith(`${outer}/`);

/**
 * Why the tree at `path` must not be removed or re-owned, or undefined when it may be.
 * `protect` names trees that must survive whole (live data directories): the path may be
 * neither one of them, nor inside one, nor contain one.
 */
export function destructivePathProblem(
  path: string,
  protect: readonly string[] = [],
): string | undefined {
  if (!path.startsWith("/")) return `${path} is not an absolute path`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return `${JSON.stringify(path)} holds control characters`;
  const parts = path.split("/").slice(1);
  if (path !== "/" && parts.some((p) => p === "" || p === "." || p === ".."))
    return `${path} is not in canonical form: write it without '.', '..', '//' or a trailing '/'`;
  for (const dir of SYSTEM_DIRECTORIES)
    if (isWithin(dir, path))
      return dir === path
        ? `${path} is a system directory`
        : `${path} contains the system directory ${dir}`;
  if (parts.length < 2) return `${path} is a top-level directory`;
  for (const dir of MANAGED_DIRECTORIES)
    if (isWithin(dir, path))
      return dir === path
        ? `${path} is a directory provision manages`
        : `${path} contains ${dir}, which provision manages`;
  for (const dir of protect) {
    if (isWithin(dir, path))
      return dir === path ? `${path} is protected (${dir})` : `${path} contains ${dir}`;
    if (isWithin(path, dir)) return `${path} is inside ${dir}`;
  }
  return undefined;
}

/**
 * Shell lines (for a script under `set -e`) that stop unless `path` is its own canonical
 * name on the host: no symbolic link anywhere in it, so a delete cannot be redirected.
 */
export function canonicalPathScript(path: string): string {
  return [
    `if [ -e ${q(path)} ] || [ -L ${q(path)} ]; then`,
    `  if [ "$(realpath -- ${q(path)})" != ${q(path)} ]; then echo ${q(`${path} is or passes through a symbolic link: refusing to remove it`)} >&2; exit 1; fi`,
    "fi",
  ].join("\n");
}
