// backup.scheduled.dir is written by root from cron: no user but root may own or write any of
// its ancestors, or that user could rename a path component between the script's checks and its
// writes and have root write (or remove) elsewhere. The script checks the ancestors on the host;
// this refuses the trees known to belong to service users or to provision itself.
import { PATHS } from "../freebsd/paths.js";

/** Trees a service user owns or may write, and provision's own state and configuration. */
const FOREIGN_TREES: { tree: string; whose: string }[] = [
  { tree: PATHS.postgresHome, whose: "the postgres user's home and data" },
  { tree: PATHS.synapseDataDir, whose: "Synapse's data (owned by synapse)" },
  { tree: PATHS.synapseLogDir, whose: "Synapse's logs (owned by synapse)" },
  { tree: PATHS.synapseConfDir, whose: "Synapse's configuration (group synapse)" },
  { tree: "/var/run/matrix-synapse", whose: "Synapse's run directory (owned by synapse)" },
  { tree: "/home", whose: "users' homes" },
  { tree: "/usr/home", whose: "users' homes" },
  { tree: "/usr/local/www", whose: "the web server's trees (www)" },
  { tree: "/usr/local/etc/provision", whose: "provision's own settings" },
  { tree: "/var/db/provision", whose: "provision's own state" },
  { tree: "/usr/local/etc/cron.d", whose: "cron's job files" },
  { tree: "/etc/cron.d", whose: "cron's job files" },
  { tree: "/tmp", whose: "a directory everyone may write" },
  { tree: "/var/tmp", whose: "a directory everyone may write" },
];

const inside = (dir: string, tree: string) => dir === tree || dir.startsWith(`${tree}/`);

/** What is wrong with a scheduled backup directory's place, or undefined. */
export function scheduledDirProblem(dir: string): string | undefined {
  const hit = FOREIGN_TREES.find((t) => inside(dir, t.tree));
  if (!hit) return undefined;
  return `is inside ${hit.tree}, ${hit.whose}: root's backups need a directory whose every parent only root owns and may write`;
}
