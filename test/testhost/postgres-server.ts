// A real PostgreSQL server for unit tests, from the same npm builds the test hosts use
// (devDependencies pgNN), in a temporary directory, reachable only through its Unix socket.
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { PROJECT_DIR } from "../../testhost/src/paths.js";

export interface PostgresServer {
  major: number;
  /** The socket directory: psycopg2's `host`. */
  socketDir: string;
  port: number;
  stop: () => void;
}

/** PostgreSQL refuses to run as root: as root the server runs as nobody. */
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

function run(prog: string, args: string[]): void {
  const [cmd, argv] = asRoot
    ? ["setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", prog, ...args]]
    : [prog, args];
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${basename(prog)} failed: ${r.stderr}${r.stdout}`);
}

/** The package's lib symlinks come from its postinstall script; without them the server does
 *  not start, and the test host image's setup re-creates them the same way. */
function checkLinks(native: string, major: number): void {
  const links = JSON.parse(readFileSync(join(native, "pg-symlinks.json"), "utf8")) as {
    target: string;
  }[];
  for (const l of links) {
    const p = join(dirname(native), l.target);
    try {
      lstatSync(p);
    } catch {
      throw new Error(`${p} missing: run \`npm rebuild pg${major}\` (its postinstall links it)`);
    }
  }
}

export function startPostgres(major: number): PostgresServer {
  const native = join(PROJECT_DIR, `node_modules/pg${major}/native`);
  if (!existsSync(native))
    throw new Error(`PostgreSQL ${major} binaries missing: run npm ci (package pg${major})`);
  checkLinks(native, major);
  const dir = mkdtempSync(join(tmpdir(), `pg${major}-`));
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  const data = join(dir, "data");
  // UTF8 with C collation and ctype, as the recipe's initdb and Synapse's checks want.
  run(join(native, "bin/initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "-A",
    "trust",
    "--encoding=UTF8",
    "--locale=C",
  ]);
  const port = 20000 + Math.floor(Math.random() * 20000);
  run(join(native, "bin/pg_ctl"), [
    "-D",
    data,
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=`,
    "-l",
    join(dir, "log"),
    "-w",
    "-s",
    "start",
  ]);
  return {
    major,
    socketDir: dir,
    port,
    stop: () => {
      try {
        run(join(native, "bin/pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-s", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
