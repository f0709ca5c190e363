// Backup and restore on test hosts running Debian's real Synapse (docs/testing.md): host A
// converged, users, a room, messages, media and one-time keys made through Synapse's client API
// -> backup -> host B, converged for the same server_name -> restore -> row counts per table,
// media checksums and the signing key equal, and on B the same users log in, read the same
// messages and download the same media; a truncated or corrupted backup is refused before host B
// is contacted. Prints the times taken for the test data set.
import { cpSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { type CliResult, cli, cliInBackground } from "../helpers/cli.js";
import {
  type Chat,
  chatThroughClientApi,
  clientOk,
  downloadSha256,
  sameChat,
  uploadRandom,
} from "../helpers/matrix.js";
import { testHostsOnly } from "../helpers/target.js";
import { sh, testHosts } from "../helpers/testhost.js";

const onlyHere = testHostsOnly("two real-Synapse hosts, one restored over the other");
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

let chat: Chat;
let uploads: { mxc: string; sha256: string }[];
const SERVER = "matrix1.example.test";

/** Through Synapse's client API on host A: a chat, media uploads and one-time keys. */
function fillThroughClientApi(host: number): void {
  chat = chatThroughClientApi(set, host, (user, password) => {
    const r = cli(["register-user", "--host", "matrix1", "--user", user, "-i", inv], {
      env,
      input: password,
    });
    expect(r.stderr).toBe("");
  });
  const alice = chat.tokens.alice as string;
  uploads = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => uploadRandom(set, host, alice, i * 40000));
  // One-time keys, which a backup leaves out (Synapse's backup documentation).
  const keys = Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [
      `signed_curve25519:AAAAA${i}`,
      {
        key: Buffer.from(`one-time key ${i}`.padEnd(32, ".")).toString("base64").replace(/=+$/, ""),
        signatures: { [`@alice:${SERVER}`]: { "ed25519:TESTDEVICE": "c2lnbmF0dXJl" } },
      },
    ]),
  );
  const counts = clientOk(set, host, "/_matrix/client/v3/keys/upload", {
    token: alice,
    data: { one_time_keys: keys },
  }).one_time_key_counts;
  expect(counts.signed_curve25519).toBe(50);
}

describe.skipIf(onlyHere)("provision backup and restore", { timeout: 900_000 }, () => {
  beforeAll(async () => {
    set = await testHosts(2, { synapse: "real" });
    // Host B replaces host A after a lost disk: the same inventory entry (name, server_name,
    // secrets), now reaching the new machine. Two inventories, one per machine.
    const all = readFileSync(join(set.dir, "inventory.yaml"), "utf8");
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
    // The same store: the operator's one inventory, here split in two files (apply only reads it).
    cpSync(join(set.dir, "inventory-a.secrets.age"), join(set.dir, "inventory-b.secrets.age"));
    // B converges while A converges and fills: two machines, two operators' terminals.
    const applyB = cliInBackground(["apply", "--yes", "-i", invB], {
      env,
      logPrefix: join(set.dir, "apply-b"),
    });
    let b: CliResult;
    try {
      const apply = run(["apply", "--yes"]);
      if (apply.code !== 0)
        throw new Error(`apply failed: ${apply.stderr}${apply.stdout.slice(-3000)}`);
      fillThroughClientApi(0);
    } finally {
      // Never left running on hosts that afterAll stops.
      b = await applyB;
    }
    if (b.code !== 0) throw new Error(`apply on B failed: ${b.stderr}${b.stdout.slice(-3000)}`);
    inv = invB;
  }, 900_000);
  afterAll(async () => set?.stop());

  it("backs up host A and restores it onto host B: rows, media and signing key equal; the same users log in and read the same messages", () => {
    const rowsOnA = (t: string) => psql(0, `SELECT count(*) FROM ${t}`);
    const [eventRows, userRows] = [rowsOnA("events"), rowsOnA("users")];
    const mediaFiles = Number(sh(set, 0, `find ${MEDIA} -type f | wc -l`).stdout.trim());
    expect(mediaFiles).toBeGreaterThanOrEqual(uploads.length);
    expect(rowsOnA("e2e_one_time_keys_json")).toBe("50");
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
    expect(manifest.tables.events).toBe(Number(eventRows));
    expect(manifest.tables.e2e_one_time_keys_json).toBe(0);
    expect(Object.keys(manifest.media)).toHaveLength(mediaFiles);
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
    expect(r.stdout).toContain(`media checksums: ok: ${mediaFiles} files equal`);
    expect(r.stdout).toContain(`signing key id: ok: ${manifest.signing_key_id}`);
    expect(r.stdout).toContain("/health: ok");
    expect(r.code).toBe(0);
    expect(psql(1, "SELECT count(*) FROM events")).toBe(eventRows);
    expect(psql(1, "SELECT count(*) FROM users")).toBe(userRows);
    expect(psql(1, "SELECT count(*) FROM e2e_one_time_keys_json")).toBe("0");
    // Synapse on B serves A's homeserver: the same users, messages and media.
    const bob = sameChat(set, 1, chat, SERVER).bob as string;
    expect(uploads.map((u) => downloadSha256(set, 1, bob, u.mxc))).toEqual(
      uploads.map((u) => u.sha256),
    );
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
