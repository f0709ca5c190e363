// PostgreSQL 13 -> 17 on test hosts: Synapse's real schema plus generated rows; counts verified;
// a server killed mid-restore rolls back; an SSH connection lost during the dump, then a rerun,
// ends converged; --cleanup refuses what the upgrade did not leave; a rollback after the upgrade
// keeps what was written since.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { BIN, cli, ROOT } from "../helpers/cli.js";
import { waitFor } from "../helpers/procs.js";
import { testHostsOnly } from "../helpers/target.js";
import { sh, testHosts } from "../helpers/testhost.js";

const SCHEMA = join(ROOT, "../shared/reference/synapse-schema-72.postgres.sql");
const present = existsSync(SCHEMA);
if (!present)
  console.warn(`skipping the upgrade tests: ${SCHEMA} not found (reference material absent)`);

let set: HostSet & { stop: () => Promise<void> };
let inv: string;
let env: Record<string, string>;
const run = (args: string[]) => cli([...args, "-i", inv], { env });
const count = (host: number, table: string) =>
  sh(
    set,
    host,
    `su -l postgres -c "psql -XtA -d synapse -c 'select count(*) from ${table}'"`,
  ).stdout.trim();

/** Synapse's schema (as Synapse's own role), its schema_version, and a few thousand rows. */
function loadSynapseData(host: number): void {
  const sql = [
    "SET ROLE synapse;",
    readFileSync(SCHEMA, "utf8"),
    "CREATE TABLE schema_version (lock char(1) NOT NULL DEFAULT 'X' UNIQUE, version integer NOT NULL, upgraded boolean NOT NULL, CHECK (lock = 'X'));",
    "INSERT INTO schema_version (version, upgraded) VALUES (72, true);",
    "INSERT INTO users (name, password_hash, creation_ts) SELECT '@user' || i || ':matrix.example.test', 'x', i FROM generate_series(1, 2000) i;",
    "INSERT INTO rooms (room_id, is_public, creator, room_version) SELECT '!room' || i || ':matrix.example.test', i % 2 = 0, '@user1:matrix.example.test', '10' FROM generate_series(1, 200) i;",
    "INSERT INTO events (topological_ordering, event_id, type, room_id, content, processed, outlier, stream_ordering, sender) SELECT i, '$ev' || i, 'm.room.message', '!room' || (i % 200 + 1) || ':matrix.example.test', '{\"body\": \"hello ' || i || '\"}', true, false, i, '@user' || (i % 2000 + 1) || ':matrix.example.test' FROM generate_series(1, 5000) i;",
  ].join("\n");
  const r = sh(set, host, `su -l postgres -c "psql -Xq -v ON_ERROR_STOP=1 -d synapse"`, sql);
  if (r.code !== 0) throw new Error(`loading Synapse's schema failed: ${r.stderr}`);
}

// A real target is one host whose repository no longer carries PostgreSQL 13.
const onlyHere = testHostsOnly("two hosts with PostgreSQL 13 packages");
if (onlyHere) console.warn(`skipping the upgrade tests: ${onlyHere}`);

describe.skipIf(!present || onlyHere)("provision upgrade-postgres", { timeout: 600_000 }, () => {
  beforeAll(async () => {
    set = await testHosts(2);
    inv = join(set.dir, "inventory.yaml");
    writeFileSync(
      inv,
      readFileSync(inv, "utf8").replace("      postgresql: 17\n", "      postgresql: 13\n"),
    );
    env = { PROVISION_AGE_IDENTITY_FILE: join(set.dir, "age.txt") };
    expect(run(["secrets", "init"]).code).toBe(0);
    const apply = run(["apply", "--yes"]);
    if (apply.code !== 0)
      throw new Error(`apply failed: ${apply.stderr}${apply.stdout.slice(-3000)}`);
    loadSynapseData(0);
    loadSynapseData(1);
  }, 600_000);
  afterAll(async () => set?.stop());

  it("moves a 13 cluster with Synapse's schema to 17: every row there, Synapse serving, old directory kept", () => {
    expect(count(0, "events")).toBe("5000");
    const r = run(["upgrade-postgres", "--host", "matrix1", "--to", "17", "--yes", "--no-color"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("matrix1: PostgreSQL 13 -> 17");
    expect(r.stdout).toMatch(/tables and versions match/);
    expect(r.stdout).toContain(
      "PostgreSQL 17 serves every row the old cluster had; Synapse answers.",
    );
    // coturn comes back; py-psycopg2 (tied to the ports tree's default client) does not.
    const pkgs = sh(set, 0, "pkg query '%n' | sort").stdout;
    expect(pkgs).toMatch(/coturn\n[\s\S]*postgresql17-client\npostgresql17-server\n/);
    expect(pkgs).not.toMatch(/py311-psycopg2|postgresql13/);
    expect([
      count(0, "users"),
      count(0, "rooms"),
      count(0, "events"),
      count(0, "schema_version"),
    ]).toEqual(["2000", "200", "5000", "1"]);
    expect(
      sh(set, 0, "su -l postgres -c \"psql -XtA -c 'show server_version_num'\"").stdout.slice(0, 2),
    ).toBe("17");
    expect(
      sh(
        set,
        0,
        "test -f /var/db/postgres/data13.pre-upgrade/PG_VERSION && test -s /var/db/postgres/upgrade/dump.sql",
      ).code,
    ).toBe(0);
    expect(sh(set, 0, "curl -sf http://127.0.0.1:8008/health").stdout).toBe("OK");
    expect(sh(set, 0, "service turnserver status").code).toBe(0);
    // The inventory, moved to 17, matches the host.
    writeFileSync(
      inv,
      readFileSync(inv, "utf8").replace("      postgresql: 13\n", "      postgresql: 17\n"),
    );
    // Nothing is left to change: psycopg2 lives in the virtualenv, not in pkg.
    const plan = run(["plan", "--host", "matrix1", "--json"]);
    const changes = plan.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "planned_change")
      .map((e) => `${e.change.resource.addr}: ${e.change.summary}`);
    expect(changes).toEqual([]);
    writeFileSync(
      inv,
      readFileSync(inv, "utf8").replace("      postgresql: 17\n", "      postgresql: 13\n"),
    );
    // A second run has nothing to do; --cleanup removes the kept data.
    expect(run(["upgrade-postgres", "--host", "matrix1", "--to", "17", "--yes"]).stdout).toContain(
      "already upgraded to PostgreSQL 17",
    );
    const intact = () =>
      sh(
        set,
        0,
        "test -f /var/db/postgres/data17/PG_VERSION && test -f /var/db/postgres/data13.pre-upgrade/PG_VERSION && test -s /var/db/postgres/upgrade/dump.sql && test -d /usr/local/etc/rc.d",
      ).code;
    // --cleanup never removes what the upgrade did not record, whatever --dump-dir says.
    for (const dir of [
      "/var/db/postgres",
      "/var/db",
      "/usr/local",
      "/etc",
      "/",
      "/var/db/postgres/upgrade/..",
    ]) {
      const refused = run([
        "upgrade-postgres",
        "--host",
        "matrix1",
        "--cleanup",
        "--yes",
        "--dump-dir",
        dir,
      ]);
      expect(refused.code, dir).toBe(1);
      expect(refused.stderr, dir).toContain(`error: --dump-dir ${dir} refused:`);
    }
    const other = run([
      "upgrade-postgres",
      "--host",
      "matrix1",
      "--cleanup",
      "--yes",
      "--dump-dir",
      "/var/db/postgres/data17.old",
    ]);
    expect(other.stderr).toContain(
      "is not the finished upgrade's dump directory (/var/db/postgres/upgrade): nothing removed",
    );
    // postgres swaps the dump directory for a symlink to a system directory: refused on the host.
    sh(set, 0, "su -l postgres -c 'mv upgrade upgrade.real && ln -s /usr/local/etc/rc.d upgrade'");
    const swapped = run(["upgrade-postgres", "--host", "matrix1", "--cleanup", "--yes"]);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toContain(
      "/var/db/postgres/upgrade is or passes through a symbolic link",
    );
    sh(set, 0, "su -l postgres -c 'rm upgrade && mv upgrade.real upgrade'");
    expect(intact()).toBe(0);
    // Without --yes and without a terminal it asks, so it stops.
    expect(run(["upgrade-postgres", "--host", "matrix1", "--cleanup"]).stderr).toContain(
      "upgrade-postgres asks for confirmation, but standard input is not a terminal",
    );
    expect(intact()).toBe(0);
    expect(run(["upgrade-postgres", "--host", "matrix1", "--cleanup", "--yes"]).code).toBe(0);
    expect(
      sh(set, 0, "ls -d /var/db/postgres/data13.pre-upgrade /var/db/postgres/upgrade").code,
    ).not.toBe(0);
  });

  it("refuses clearly: not newer, unsupported", () => {
    expect(run(["upgrade-postgres", "--host", "matrix2", "--to", "13", "--yes"]).stderr).toContain(
      "error: host matrix2 runs PostgreSQL 13; --to 13 is not newer",
    );
    expect(run(["upgrade-postgres", "--host", "matrix2", "--to", "19", "--yes"]).stderr).toContain(
      "error: PostgreSQL 19 is not supported",
    );
  });

  it("rolls back automatically when the new server dies mid-restore: the old cluster serves every row", () => {
    // postgres's login PATH gets a psql that kills the new postmaster once the restore begins.
    const wrapper = [
      "#!/bin/sh",
      'case "$*" in "-X -v ON_ERROR_STOP=1 -q -d postgres")',
      '  /usr/local/bin/psql "$@" <&0 & p=$!',
      "  sleep 0.2; kill -9 $(head -1 /var/db/postgres/data17/postmaster.pid) 2>/dev/null",
      "  wait $p; exit 1 ;;",
      "esac",
      'exec /usr/local/bin/psql "$@"',
    ].join("\n");
    sh(
      set,
      1,
      "mkdir -p /var/db/postgres/inject && cat > /var/db/postgres/inject/psql && chmod 755 /var/db/postgres/inject/psql && echo 'PATH=/var/db/postgres/inject:$PATH; export PATH' >> /var/db/postgres/.profile",
      wrapper,
    );
    const r = run(["upgrade-postgres", "--host", "matrix2", "--to", "17", "--yes"]);
    sh(set, 1, "sed -i '/inject/d' /var/db/postgres/.profile; rm -rf /var/db/postgres/inject");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("rolling back to the old server and data directory");
    expect(r.stderr).toContain(
      "error: upgrade failed at 'restored'; rolled back: PostgreSQL 13 runs again with its data",
    );
    expect(
      sh(set, 1, "su -l postgres -c \"psql -XtA -c 'show server_version_num'\"").stdout.slice(0, 2),
    ).toBe("13");
    expect([count(1, "users"), count(1, "rooms"), count(1, "events")]).toEqual([
      "2000",
      "200",
      "5000",
    ]);
    expect(
      sh(
        set,
        1,
        "test -d /var/db/postgres/data13 && ! test -e /var/db/postgres/data13.pre-upgrade && ! test -e /var/db/postgres/data17",
      ).code,
    ).toBe(0);
    expect(sh(set, 1, "pkg query '%n' | sort").stdout).toMatch(
      /coturn\n[\s\S]*postgresql13-client\npostgresql13-server\n/,
    );
    expect(sh(set, 1, "curl -sf http://127.0.0.1:8008/health").stdout).toBe("OK");
  });

  it("an SSH connection lost during the dump, then a rerun, ends converged", async () => {
    sh(set, 1, "rm -rf /var/db/postgres/upgrade");
    const child = spawn(
      process.execPath,
      [BIN, "upgrade-postgres", "--host", "matrix2", "--to", "17", "--yes", "-i", inv],
      {
        env: { ...process.env, ...env },
        stdio: "ignore",
      },
    );
    await waitFor(
      "the dump to start",
      () =>
        sh(set, 1, "pgrep -f pg_dumpall").code === 0 ||
        sh(set, 1, "cat /var/db/provision/upgrade/phase 2>/dev/null").stdout.trim() === "counted"
          ? true
          : undefined,
      60_000,
    );
    child.kill("SIGKILL");
    let last = { code: -1, stdout: "", stderr: "" };
    for (let i = 0; i < 30 && last.code !== 0; i++) {
      last = run(["upgrade-postgres", "--host", "matrix2", "--to", "17", "--yes"]);
      if (last.code !== 0) {
        expect(last.stderr).toMatch(/another upgrade step is still running|already upgraded/);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    expect(last.code).toBe(0);
    expect(
      sh(set, 1, "su -l postgres -c \"psql -XtA -c 'show server_version_num'\"").stdout.slice(0, 2),
    ).toBe("17");
    expect([count(1, "users"), count(1, "rooms"), count(1, "events")]).toEqual([
      "2000",
      "200",
      "5000",
    ]);
    expect(sh(set, 1, "ls -d /var/db/postgres/data*").stdout).toBe(
      "/var/db/postgres/data13.pre-upgrade\n/var/db/postgres/data17\n",
    );
  });
  it("a rollback after the upgrade keeps what was written since: dump first, new cluster kept", () => {
    // matrix2 runs 17 after the previous test; a user registers after the upgrade.
    const late = sh(
      set,
      1,
      `su -l postgres -c "psql -XqA -v ON_ERROR_STOP=1 -d synapse -c \\"SET ROLE synapse; INSERT INTO users (name, password_hash, creation_ts) VALUES ('@late:matrix.example.test', 'x', 1)\\""`,
    );
    expect(late.stderr).toBe("");
    expect(count(1, "users")).toBe("2001");
    const first = run(["upgrade-postgres", "--host", "matrix2", "--rollback", "--yes"]);
    if (first.code === 0) {
      expect(
        sh(
          set,
          1,
          "grep -c '@late:matrix.example.test' /var/db/postgres/upgrade/after-upgrade.sql",
        ).stdout.trim(),
      ).not.toBe("0");
    } else {
      // The test hosts' PostgreSQL client is 15 and cannot dump a 17 server (docs/testing.md):
      // the rollback must stop before changing anything and let everything run again.
      expect(first.stderr).toContain("the dump of PostgreSQL 17 failed");
      expect(first.stderr).toContain("nothing was rolled back");
      expect(count(1, "users")).toBe("2001");
      expect(sh(set, 1, "curl -sf http://127.0.0.1:8008/health").stdout).toBe("OK");
      const noDump = run([
        "upgrade-postgres",
        "--host",
        "matrix2",
        "--rollback",
        "--no-dump",
        "--yes",
      ]);
      expect(noDump.stderr).toBe("");
      expect(noDump.code).toBe(0);
    }
    expect(sh(set, 1, "pkg query -g '%n' 'postgresql*'").stdout).toBe(
      "postgresql13-client\npostgresql13-server\n",
    );
    // 13 serves the rows it had at the upgrade; the new cluster, with the late user, is kept.
    expect(
      sh(set, 1, "su -l postgres -c \"psql -XtA -c 'show server_version_num'\"").stdout.slice(0, 2),
    ).toBe("13");
    expect(count(1, "users")).toBe("2000");
    expect(sh(set, 1, "curl -sf http://127.0.0.1:8008/health").stdout).toBe("OK");
    const kept = sh(
      set,
      1,
      [
        "su -l postgres -c \"/opt/postgresql/17/bin/pg_ctl -D /var/db/postgres/data17.rolled-back -o '-p 5499 -k /tmp -c listen_addresses=' -l /tmp/kept17.log -w -s start\" >/dev/null",
        'su -l postgres -c "psql -XtA -h /tmp -p 5499 -d synapse -c \\"select count(*) from users where name = \'@late:matrix.example.test\'\\""',
        "su -l postgres -c '/opt/postgresql/17/bin/pg_ctl -D /var/db/postgres/data17.rolled-back -w -s stop' >/dev/null",
      ].join(" && "),
    );
    expect(kept.stderr).toBe("");
    expect(kept.stdout.trim()).toBe("1");
  });
});
