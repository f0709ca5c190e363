// The Synapse stand-in refuses a PostgreSQL server older than its release supports, as Synapse
// does at start-up: element-hq/synapse synapse/storage/engines/postgres.py `check_database`
// raises RuntimeError("Synapse requires PostgreSQL 14 or above.") for a server_version below
// 140000 since 1.143.0 (CHANGES.md, #19170), and synapse/app/homeserver.py `setup` hands it to
// synapse/app/_base.py `handle_startup_exception`, which prints the traceback framed by
// `quit_with_error` and exits 1. Run against real PostgreSQL 13 and 15 servers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYNAPSE_REQUIRES_POSTGRESQL_14 } from "../../src/versions.js";
import { TESTHOST_DIR } from "../../testhost/src/paths.js";
import { type PostgresServer, startPostgres } from "./postgres-server.js";

const servers: Record<number, PostgresServer> = {};
const dir = mkdtempSync(join(tmpdir(), "standin-pg-"));
const daemons: number[] = [];

beforeAll(() => {
  servers[13] = startPostgres(13);
  servers[15] = startPostgres(15);
});
afterAll(() => {
  for (const pid of daemons) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  for (const s of Object.values(servers)) s.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The stand-in's modules at VERSION, as the package index builds them. */
function standin(version: string): string {
  const out = join(dir, `synapse-${version}`);
  if (!existsSync(out)) {
    const r = spawnSync("python3", [
      join(TESTHOST_DIR, "standin/build_index.py"),
      "--packaged",
      version,
      out,
    ]);
    expect(r.status).toBe(0);
  }
  return out;
}

/** `python -m synapse.app.homeserver --daemonize -c CONF` against a server, as rc.d/synapse runs it. */
function start(version: string, server: PostgresServer) {
  const run = join(dir, `run-${version}-${server.major}`);
  rmSync(run, { recursive: true, force: true });
  const conf = join(run, "homeserver.yaml");
  const pidFile = join(run, "homeserver.pid");
  spawnSync("mkdir", ["-p", run]);
  writeFileSync(join(run, "signing.key"), "ed25519 a_test c2lnbmluZyBrZXkgb2YgdGhlIHRlc3Q\n");
  writeFileSync(
    conf,
    [
      "server_name: matrix.example.org",
      `signing_key_path: ${join(run, "signing.key")}`,
      `pid_file: ${pidFile}`,
      "listeners: []",
      "database:",
      "  name: psycopg2",
      "  args:",
      "    user: postgres",
      "    database: postgres",
      `    host: ${server.socketDir}`,
      `    port: ${server.port}`,
      "    cp_min: 5",
      "",
    ].join("\n"),
  );
  const r = spawnSync("python3", ["-m", "synapse.app.homeserver", "--daemonize", "-c", conf], {
    encoding: "utf8",
    cwd: run,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PYTHONPATH: standin(version) },
    timeout: 60_000,
  });
  // The parent returns before the daemon writes its pidfile.
  let pid: number | undefined;
  for (let i = 0; r.status === 0 && pid === undefined && i < 100; i++) {
    // The daemon creates the file, then writes its pid: an empty file is not an answer yet.
    const written = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
    if (written > 0) pid = written;
    else spawnSync("sleep", ["0.1"]);
  }
  if (pid) daemons.push(pid);
  return { code: r.status, stderr: r.stderr, pid };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the Synapse stand-in's PostgreSQL version check", () => {
  it(`refuses PostgreSQL 13 from Synapse ${SYNAPSE_REQUIRES_POSTGRESQL_14} on, with Synapse's message`, () => {
    const r = start(SYNAPSE_REQUIRES_POSTGRESQL_14, servers[13] as PostgresServer);
    expect(r.code).toBe(1);
    expect(r.pid).toBeUndefined();
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\*{20,}$/);
    expect(lines[1]).toBe(" Error during initialisation:");
    expect(lines[2]).toBe("     Traceback (most recent call last):");
    expect(lines).toContain("     RuntimeError: Synapse requires PostgreSQL 14 or above.");
    expect(lines.at(-2)).toBe(" There may be more information in the logs.");
    expect(lines.at(-1)).toBe(lines[0]);
  });

  it("refuses it from later releases too (the version the test hosts' lifecycle tests run)", () => {
    const r = start("1.156.0", servers[13] as PostgresServer);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("RuntimeError: Synapse requires PostgreSQL 14 or above.");
  });

  it("starts on PostgreSQL 13 with the release before", () => {
    const r = start("1.142.1", servers[13] as PostgresServer);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.pid && alive(r.pid)).toBe(true);
  });

  it(`starts on PostgreSQL 15 with Synapse ${SYNAPSE_REQUIRES_POSTGRESQL_14} and later`, () => {
    for (const v of [SYNAPSE_REQUIRES_POSTGRESQL_14, "1.157.0"]) {
      const r = start(v, servers[15] as PostgresServer);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.pid && alive(r.pid)).toBe(true);
    }
  });
});
