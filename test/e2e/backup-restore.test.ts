// Backup and restore on test hosts: host A converged with Synapse's schema, rows and media files
// -> backup -> host B, converged for the same server_name -> restore -> row counts per table,
// media checksums and the signing key equal; a truncated or corrupted backup is refused before
// host B is contacted. Prints the times taken for the test data set.
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { cli, ROOT } from "../helpers/cli.js";
import { testHostsOnly } from "../helpers/target.js";
import { sh, testHosts } from "../helpers/testhost.js";

const SCHEMA = join(ROOT, "../shared/reference/synapse-schema-72.postgres.sql");
const present = existsSync(SCHEMA);
if (!present)
  console.warn(`skipping the backup tests: ${SCHEMA} not found (reference material absent)`);
const onlyHere = testHostsOnly(
  "two hosts with PostgreSQL 13 packages, one restored over the other",
);
if (onlyHere) console.warn(`skipping the backup tests: ${onlyHere}`);

let set: HostSet & { stop: () => Promise<void> };
let inv: string;
let invA: string;
let invB: string;
let env: Record<string, string>;
const run = (args: string[]) => cli([...args, "-i", inv], { env });
const psql = (host: number, sql: string) =>
  sh(set, host, `su -l postgres -c "psql -XtA -d synapse -c \\"${sql}\\""`).stdout.trim();
const MEDIA = "/var/db/matrix-synapse/media_store";

/** Synapse's schema as Synapse's role, rows in users, rooms, events and one-time keys. */
function loadRows(host: number): void {
  const sql = [
    "SET ROLE synapse;",
    readFileSync(SCHEMA, "utf8"),
    "INSERT INTO users (name, password_hash, creation_ts) SELECT '@user' || i || ':matrix1.example.test', 'x', i FROM generate_series(1, 3000) i;",
    "INSERT INTO rooms (room_id, is_public, creator, room_version) SELECT '!room' || i || ':matrix1.example.test', i % 2 = 0, '@user1:matrix1.example.test', '10' FROM generate_series(1, 300) i;",
    "INSERT INTO events (topological_ordering, event_id, type, room_id, content, processed, outlier, stream_ordering, sender) SELECT i, '$ev' || i, 'm.room.message', '!room' || (i % 300 + 1) || ':matrix1.example.test', '{\"body\": \"hello ' || i || '\"}', true, false, i, '@user' || (i % 3000 + 1) || ':matrix1.example.test' FROM generate_series(1, 20000) i;",
    "INSERT INTO e2e_one_time_keys_json (user_id, device_id, algorithm, key_id, ts_added_ms, key_json) SELECT '@user1:matrix1.example.test', 'DEV', 'signed_curve25519', 'k' || i, i, '{}' FROM generate_series(1, 50) i;",
  ].join("\n");
  const r = sh(set, host, `su -l postgres -c "psql -Xq -v ON_ERROR_STOP=1 -d synapse"`, sql);
  if (r.code !== 0) throw new Error(`loading Synapse's schema failed: ${r.stderr}`);
  const media = [
    `mkdir -p ${MEDIA}/local_content/ab/cd ${MEDIA}/local_thumbnails/ab/cd/efghij/`,
    `for i in 1 2 3 4 5 6 7 8; do head -c $((i * 40000)) /dev/urandom > ${MEDIA}/local_content/ab/cd/efghij$i; done`,
    `head -c 5000 /dev/urandom > ${MEDIA}/local_thumbnails/ab/cd/efghij/32-32-image-png`,
    `chown -R synapse:synapse ${MEDIA}`,
  ].join(" && ");
  expect(sh(set, host, media).code).toBe(0);
}

describe.skipIf(!present || onlyHere)("provision backup and restore", { timeout: 900_000 }, () => {
  beforeAll(async () => {
    set = await testHosts(2);
    // Host B replaces host A after a lost disk: the same inventory entry (name, server_name,
    // secrets), now reaching the new machine. Two inventories, one per machine.
    // PostgreSQL 13: the test hosts' client programs (pg_dump, pg_restore) are PostgreSQL 15's
    // for every major, and pg_dump refuses a newer server.
    const all = readFileSync(join(set.dir, "inventory.yaml"), "utf8").replace(
      "      postgresql: 17\n",
      "      postgresql: 13\n",
    );
    const [head = "", hostB = ""] = all.split("    matrix2:\n");
    const hostBlock = (text: string) => text.slice(text.indexOf("    matrix1:\n"));
    invA = join(set.dir, "inventory-a.yaml");
    invB = join(set.dir, "inventory-b.yaml");
    writeFileSync(invA, head);
    writeFileSync(
      invB,
      head.replace(
        hostBlock(head),
        `    matrix1:\n${hostB.replace(
          "server_name: matrix2.example.test",
          // Its own address's name for HTTPS and ACME until DNS moves: the CA resolves per name.
          "server_name: matrix1.example.test\n      public_hostname: matrix2.example.test",
        )}`,
      ),
    );
    env = { PROVISION_AGE_IDENTITY_FILE: join(set.dir, "age.txt") };
    inv = invA;
    expect(run(["secrets", "init"]).code).toBe(0);
    const apply = run(["apply", "--yes"]);
    if (apply.code !== 0)
      throw new Error(`apply failed: ${apply.stderr}${apply.stdout.slice(-3000)}`);
    loadRows(0);
    // The same store: the operator's one inventory, here split in two files.
    cpSync(join(set.dir, "inventory-a.secrets.age"), join(set.dir, "inventory-b.secrets.age"));
    inv = invB;
    const applyB = run(["apply", "--yes"]);
    if (applyB.code !== 0)
      throw new Error(`apply on B failed: ${applyB.stderr}${applyB.stdout.slice(-3000)}`);
  }, 900_000);
  afterAll(async () => set?.stop());

  it("backs up host A and restores it onto host B: rows, media and signing key equal", () => {
    const to = join(set.dir, "backups");
    let t = Date.now();
    inv = invA;
    const b = run(["backup", "--host", "matrix1", "--to", to]);
    inv = invB;
    const backupMs = Date.now() - t;
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toContain("matrix1: backup complete");
    expect(b.stdout).toContain("rows of e2e_one_time_keys_json left out");
    const [name = ""] = readdirSync(to);
    const dir = join(to, name);
    expect(statSync(to).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir))
      expect([f, statSync(join(dir, f)).mode & 0o777]).toEqual([f, 0o600]);
    const manifest = JSON.parse(readFileSync(join(dir, "MANIFEST.json"), "utf8"));
    expect(manifest.tables.events).toBe(20000);
    expect(manifest.tables.e2e_one_time_keys_json).toBe(0);
    expect(Object.keys(manifest.media)).toHaveLength(9);
    // Synapse runs again after the dump.
    expect(sh(set, 0, "curl -sf http://127.0.0.1:8008/health").stdout).toBe("OK");

    // Damaged copies are refused before host B is contacted: its database stays as it was.
    const before = psql(1, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    const truncated = join(set.dir, "truncated");
    cpSync(dir, truncated, { recursive: true });
    truncateSync(join(truncated, "synapse.dump"), 100);
    const refused = run(["restore", "--host", "matrix1", "--from", truncated, "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("synapse.dump has 100 bytes");
    expect(refused.stderr).toContain("(truncated)");
    const corrupt = join(set.dir, "corrupt");
    cpSync(dir, corrupt, { recursive: true });
    const media = readFileSync(join(corrupt, "media.tar"));
    media.writeUInt8((media.at(-2048) ?? 0) ^ 0xff, media.length - 2048);
    writeFileSync(join(corrupt, "media.tar"), media);
    const refused2 = run(["restore", "--host", "matrix1", "--from", corrupt, "--yes"]);
    expect(refused2.code).toBe(1);
    expect(refused2.stderr).toContain("media.tar: sha256");
    expect(psql(1, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).toBe(before);
    expect(sh(set, 1, "ls /var/db/provision/ops 2>/dev/null").stdout.trim()).toBe("");

    // Without --yes and a terminal it shows the plan, then stops.
    const asked = run(["restore", "--host", "matrix1", "--from", dir]);
    expect(asked.stdout).toContain("matrix1: restore the backup of matrix1");
    expect(asked.stderr).toContain("restore asks for confirmation");

    t = Date.now();
    const r = run(["restore", "--host", "matrix1", "--from", dir, "--yes"]);
    const restoreMs = Date.now() - t;
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("row counts: ok");
    expect(r.stdout).toContain("media checksums: ok: 9 files equal");
    expect(r.stdout).toContain(`signing key id: ok: ${manifest.signing_key_id}`);
    expect(r.stdout).toContain("/health: ok");
    expect(r.code).toBe(0);
    expect(psql(1, "SELECT count(*) FROM events")).toBe("20000");
    expect(psql(1, "SELECT count(*) FROM users")).toBe("3000");
    expect(psql(1, "SELECT count(*) FROM e2e_one_time_keys_json")).toBe("0");
    // The host's previous database and media store are kept.
    expect(
      psql(
        1,
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'synapse_before_restore_%'",
      ).trim(),
    ).toBe("1");
    expect(sh(set, 1, "ls -d /var/db/matrix-synapse/media_store.before-restore-*").code).toBe(0);
    const key = "/usr/local/etc/matrix-synapse/matrix1.example.test.signing.key";
    expect(sh(set, 1, `find ${key} -user synapse -perm 600`).stdout.trim()).toBe(key);
    // check on the restored host: services up, and the exit code is the worst finding's.
    t = Date.now();
    const check = run(["check", "--host", "matrix1", "--json"]);
    const checkMs = Date.now() - t;
    const events = check.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const results = events.filter((e) => e.type === "check_result");
    // The whole list in the message when a service is missing from it.
    expect(results.map((e) => `${e.check}=${e.status}: ${e.detail}`)).toEqual(
      expect.arrayContaining(["service postgresql=ok: running", "service synapse=ok: running"]),
    );
    const summary = events.find((e) => e.type === "check_summary");
    expect({ ok: 0, warning: 1, critical: 2, unknown: 3 }[summary.status as string]).toBe(
      check.code,
    );
    expect(results.map((e) => e.check)).toContain("Synapse /health on its listener");
    expect(run(["check", "--host", "nosuch"]).code).toBe(3);
    // logs: Synapse's last lines from the host.
    const logs = run(["logs", "--host", "matrix1", "synapse", "--lines", "3"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().split("\n")).toHaveLength(3);
    console.log(
      `check: ${checkMs} ms (${summary.status}): ${JSON.stringify(results.map((e) => `${e.check}=${e.status}`))}`,
    );
    console.log(
      `backup-restore figures: ${manifest.files.reduce((a: number, f: { size: number }) => a + f.size, 0)} bytes; backup ${backupMs} ms, restore ${restoreMs} ms`,
    );
  });
});
