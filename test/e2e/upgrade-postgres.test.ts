// PostgreSQL 16 -> 17 on test hosts running Debian's real Synapse (docs/testing.md): users, a
// room and messages made through Synapse's client API; after the upgrade the same users log in
// with the same passwords and read the same messages, Synapse's schema version unchanged. Also:
// a server killed mid-restore rolls back; an SSH connection lost during the dump, then a rerun,
// ends converged; --cleanup refuses what the upgrade did not leave; a rollback after the upgrade
// keeps what was written since. (Synapse 1.143.0 and later refuse PostgreSQL 13, which the hosts no longer offer.)
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { BIN, cli } from "../helpers/cli.js";
import {
  type Chat,
  chatThroughClientApi,
  passwordLogin,
  sameChat,
  synapseErrors,
} from "../helpers/matrix.js";
import { waitFor } from "../helpers/procs.js";
import { testHostsOnly } from "../helpers/target.js";
import { sh, testHosts } from "../helpers/testhost.js";

let set: HostSet & { stop: () => Promise<void> };
let inv: string;
let env: Record<string, string>;
const run = (args: string[]) => cli([...args, "-i", inv], { env });
const psql = (host: number, sql: string) => {
  const r = sh(set, host, `su -l postgres -c "psql -XtA -d synapse -c \\"${sql}\\""`);
  if (r.code !== 0) throw new Error(`psql on host ${host}: ${r.stderr}`);
  return r.stdout.trim();
};
const major = (host: number) =>
  sh(set, host, "su -l postgres -c \"psql -XtA -c 'show server_version_num'\"").stdout.slice(0, 2);
const health = (host: number) => sh(set, host, "curl -sf http://127.0.0.1:8008/health").stdout;

/** What Synapse wrote: its schema version, and the rows of the tables a client's data lives in. */
const SYNAPSE_TABLES = [
  "users",
  "access_tokens",
  "rooms",
  "events",
  "event_json",
  "room_memberships",
];
const schemaVersion = (host: number) =>
  psql(
    host,
    "select version || ' ' || upgraded || ' ' || (select count(*) from applied_schema_deltas) from schema_version",
  );
const rowCounts = (host: number) =>
  SYNAPSE_TABLES.map((t) => `${t} ${psql(host, `select count(*) from ${t}`)}`);

interface Filled extends Chat {
  schema: string;
  rows: string[];
}
const filled: Filled[] = [];

/** A chat made through Synapse's client API (users from register-user), and what Synapse wrote. */
function fill(host: number): Filled {
  const chat = chatThroughClientApi(set, host, (user, password) => {
    const r = cli(["register-user", "--host", `matrix${host + 1}`, "--user", user, "-i", inv], {
      env,
      input: password,
    });
    expect(r.stderr).toBe("");
  });
  return { ...chat, schema: schemaVersion(host), rows: rowCounts(host) };
}

/** Every user logs in with the same password and reads the same messages; same schema and rows. */
function sameSynapseData(host: number): void {
  const before = filled[host] as Filled;
  expect(health(host)).toBe("OK");
  sameChat(set, host, before, `matrix${host + 1}.example.test`);
  expect(schemaVersion(host)).toBe(before.schema);
  // Each login adds an access token: compare the others.
  const others = (rows: string[]) => rows.filter((r) => !r.startsWith("access_tokens "));
  expect(others(rowCounts(host))).toEqual(others(before.rows));
}

// A real target is one host; this needs two test hosts with the real Synapse and PostgreSQL 16.
const onlyHere = testHostsOnly("two real-Synapse hosts with PostgreSQL 16 packages");
if (onlyHere) console.warn(`skipping the upgrade tests: ${onlyHere}`);

describe.skipIf(onlyHere)("provision upgrade-postgres", { timeout: 600_000 }, () => {
  beforeAll(async () => {
    set = await testHosts(2, { synapse: "real" });
    inv = join(set.dir, "inventory.yaml");
    writeFileSync(
      inv,
      readFileSync(inv, "utf8").replace("      postgresql: 17\n", "      postgresql: 16\n"),
    );
    env = { PROVISION_AGE_IDENTITY_FILE: join(set.dir, "age.txt") };
    expect(run(["secrets", "init"]).code).toBe(0);
    const apply = run(["apply", "--yes"]);
    if (apply.code !== 0)
      throw new Error(`apply failed: ${apply.stderr}${apply.stdout.slice(-3000)}`);
    console.log(`Synapse ${set.synapse.version} (Debian sid) on PostgreSQL ${major(0)}`);
    filled.push(fill(0), fill(1));
  }, 900_000);
  afterAll(async () => set?.stop());

  it("moves a 16 cluster that Synapse created and filled to 17: the same users log in and read the same messages", () => {
    const r = run(["upgrade-postgres", "--host", "matrix1", "--to", "17", "--yes", "--no-color"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("matrix1: PostgreSQL 16 -> 17");
    expect(r.stdout).toMatch(/tables and versions match/);
    expect(r.stdout).toContain(
      "PostgreSQL 17 serves every row the old cluster had; Synapse answers.",
    );
    expect(major(0)).toBe("17");
    sameSynapseData(0);
    // Synapse stopped for the upgrade and took up the new cluster without an error.
    expect(synapseErrors(sh(set, 0, "cat /var/log/matrix-synapse/homeserver.log").stdout)).toEqual(
      [],
    );
    // coturn comes back; py-psycopg2 (tied to the ports tree's default client) does not.
    const pkgs = sh(set, 0, "pkg query '%n' | sort").stdout;
    expect(pkgs).toMatch(/coturn\n[\s\S]*postgresql17-client\npostgresql17-server\n/);
    expect(pkgs).not.toMatch(/py311-psycopg2|postgresql16/);
    expect(
      sh(
        set,
        0,
        "test -f /var/db/postgres/data16.pre-upgrade/PG_VERSION && test -s /var/db/postgres/upgrade/dump.sql",
      ).code,
    ).toBe(0);
    expect(sh(set, 0, "service turnserver status").code).toBe(0);
    // The inventory, moved to 17, matches the host.
    writeFileSync(
      inv,
      readFileSync(inv, "utf8").replace("      postgresql: 16\n", "      postgresql: 17\n"),
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
      readFileSync(inv, "utf8").replace("      postgresql: 17\n", "      postgresql: 16\n"),
    );
    // A second run has nothing to do; --cleanup removes the kept data.
    expect(run(["upgrade-postgres", "--host", "matrix1", "--to", "17", "--yes"]).stdout).toContain(
      "already upgraded to PostgreSQL 17",
    );
    const intact = () =>
      sh(
        set,
        0,
        "test -f /var/db/postgres/data17/PG_VERSION && test -f /var/db/postgres/data16.pre-upgrade/PG_VERSION && test -s /var/db/postgres/upgrade/dump.sql && test -d /usr/local/etc/rc.d",
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
      sh(set, 0, "ls -d /var/db/postgres/data16.pre-upgrade /var/db/postgres/upgrade").code,
    ).not.toBe(0);
  });

  it("refuses clearly: not newer, unsupported", () => {
    expect(run(["upgrade-postgres", "--host", "matrix2", "--to", "16", "--yes"]).stderr).toContain(
      "error: host matrix2 runs PostgreSQL 16; --to 16 is not newer",
    );
    expect(run(["upgrade-postgres", "--host", "matrix2", "--to", "19", "--yes"]).stderr).toContain(
      "error: PostgreSQL 19 is not supported",
    );
  });

  it("rolls back automatically when the new server dies mid-restore: the old cluster serves Synapse's data", () => {
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
      "error: upgrade failed at 'restored'; rolled back: PostgreSQL 16 runs again with its data",
    );
    expect(major(1)).toBe("16");
    sameSynapseData(1);
    expect(
      sh(
        set,
        1,
        "test -d /var/db/postgres/data16 && ! test -e /var/db/postgres/data16.pre-upgrade && ! test -e /var/db/postgres/data17",
      ).code,
    ).toBe(0);
    expect(sh(set, 1, "pkg query '%n' | sort").stdout).toMatch(
      /coturn\n[\s\S]*postgresql16-client\npostgresql16-server\n/,
    );
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
    expect(major(1)).toBe("17");
    sameSynapseData(1);
    expect(sh(set, 1, "ls -d /var/db/postgres/data*").stdout).toBe(
      "/var/db/postgres/data16.pre-upgrade\n/var/db/postgres/data17\n",
    );
  });

  it("a rollback after the upgrade keeps what was written since: dump first, new cluster kept", () => {
    // matrix2 runs 17 after the previous test; a user registers after the upgrade.
    const late = cli(["register-user", "--host", "matrix2", "--user", "late", "-i", inv], {
      env,
      input: "late-pass-1",
    });
    expect(late.stderr).toBe("");
    expect(passwordLogin(set, 1, "late", "late-pass-1").status).toBe(200);
    const r = run(["upgrade-postgres", "--host", "matrix2", "--rollback", "--yes"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // The dump taken before rolling back holds what was written on 17.
    expect(
      sh(
        set,
        1,
        "grep -c '@late:matrix2.example.test' /var/db/postgres/upgrade/after-upgrade.sql",
      ).stdout.trim(),
    ).not.toBe("0");
    expect(sh(set, 1, "pkg query -g '%n' 'postgresql*'").stdout).toBe(
      "postgresql16-client\npostgresql16-server\n",
    );
    // 16 serves what it had at the upgrade: the late user is unknown there, the others unchanged.
    expect(major(1)).toBe("16");
    expect(passwordLogin(set, 1, "late", "late-pass-1").status).toBe(403);
    sameSynapseData(1);
    // The new cluster, with the late user, is kept.
    const kept = sh(
      set,
      1,
      [
        "su -l postgres -c \"/opt/postgresql/17/bin/pg_ctl -D /var/db/postgres/data17.rolled-back -o '-p 5499 -k /tmp -c listen_addresses=' -l /tmp/kept17.log -w -s start\" >/dev/null",
        'su -l postgres -c "psql -XtA -h /tmp -p 5499 -d synapse -c \\"select count(*) from users where name = \'@late:matrix2.example.test\'\\""',
        "su -l postgres -c '/opt/postgresql/17/bin/pg_ctl -D /var/db/postgres/data17.rolled-back -w -s stop' >/dev/null",
      ].join(" && "),
    );
    expect(kept.stderr).toBe("");
    expect(kept.stdout.trim()).toBe("1");
  });
});
