// backup on a scripted host: the files it writes locally, their modes, the manifest; and
// verifyBackup refusing a truncated, corrupted or unfinished backup.
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backup } from "../../src/ops/backup.js";
import type { BackupEvent } from "../../src/ops/events.js";
import { MANIFEST, type Manifest, verifyBackup } from "../../src/ops/manifest.js";
import { type ExecRule, FakeDataHost } from "./fake-data-host.js";
import { opsHost } from "./host.js";

const host = opsHost();

function mediaTar(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "provision-media-"));
  mkdirSync(join(dir, "media_store/local_content/ab/cd"), { recursive: true });
  writeFileSync(join(dir, "media_store/local_content/ab/cd/efgh"), "picture bytes");
  return spawnSync("tar", ["-cf", "-", "-C", dir, "media_store"]).stdout;
}

const probe: ExecRule = [
  "show server_version_num",
  { stdout: "170004\ned25519:a_test\nmedia\nrunning\n" },
];

function fakeHost(dumpCode = 0): FakeDataHost {
  return new FakeDataHost(
    [
      probe,
      ["backup-counts", { stdout: "events\t5000\nusers\t2000\ne2e_one_time_keys_json\t17\n" }],
      [
        "if [ -e /",
        {
          stdout:
            "usr/local/etc/matrix-synapse/homeserver.yaml\nusr/local/etc/matrix-synapse/m.example.org.signing.key\n",
        },
      ],
    ],
    [
      [
        "pg_dump -Fc",
        {
          bytes: Buffer.from("PGDMP custom dump"),
          code: dumpCode,
          stderr: dumpCode ? "pg_dump: error: connection lost" : "",
        },
      ],
      [
        "pg_dumpall --roles-only",
        { bytes: Buffer.from("ALTER ROLE synapse PASSWORD 'SCRAM-SHA-256$4096:x'") },
      ],
      ["media_store", { bytes: mediaTar() }],
      ["tar -cf - -C / ", { bytes: Buffer.from("config tar stand-in") }],
    ],
  );
}

let oldUmask = 0;
beforeEach(() => {
  // The most permissive umask: the modes must come from backup itself.
  oldUmask = process.umask(0);
});
afterEach(() => {
  process.umask(oldUmask);
});

async function takeBackup(): Promise<{ dir: string; events: BackupEvent[]; root: string }> {
  const root = join(mkdtempSync(join(tmpdir(), "provision-backups-")), "backups");
  const events: BackupEvent[] = [];
  const r = await backup(fakeHost(), host, root, (e) => events.push(e));
  return { dir: r.dir, events, root };
}

describe("provision backup (scripted host)", () => {
  it("nothing it writes is readable by anyone else: directories 0700, files 0600, even with umask 0", async () => {
    const { dir, root } = await takeBackup();
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const names = readdirSync(dir).sort();
    expect(names).toEqual([MANIFEST, "config.tar", "media.tar", "roles.sql", "synapse.dump"]);
    for (const n of names) expect([n, statSync(join(dir, n)).mode & 0o777]).toEqual([n, 0o600]);
  });

  it("reads the media store as synapse, never as root (a swapped symbolic link leads nowhere Synapse cannot read)", async () => {
    const fake = fakeHost();
    await backup(
      fake,
      host,
      join(mkdtempSync(join(tmpdir(), "provision-backups-")), "b"),
      () => {},
    );
    const media = fake.scripts.filter((s) => s.includes("media_store") && s.includes("tar"));
    expect(media).toEqual([
      "SHELL=/bin/sh su -m synapse -c 'tar -cf - -C /var/db/matrix-synapse media_store'",
    ]);
  });

  it("the manifest holds sizes, checksums, row counts (one-time keys' rows left out), media checksums and the key id", async () => {
    const { dir, events } = await takeBackup();
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
    expect(m.tables).toEqual({ events: 5000, users: 2000, e2e_one_time_keys_json: 0 });
    expect(m.excluded_table_data).toEqual(["e2e_one_time_keys_json"]);
    expect(m.signing_key_id).toBe("ed25519:a_test");
    expect(m.server_name).toBe("m.example.org");
    expect(m.postgresql_major).toBe(17);
    expect(Object.keys(m.media)).toEqual(["media_store/local_content/ab/cd/efgh"]);
    expect(m.files.find((f) => f.name === "synapse.dump")?.size).toBe(17);
    expect(m.secrets_in_store).toContain("signing_key");
    expect(events.at(-1)?.type).toBe("backup_complete");
    await expect(verifyBackup(dir)).resolves.toMatchObject({ host: "matrix" });
  });

  it("a failed dump leaves only a .partial directory, which restore refuses", async () => {
    const root = join(mkdtempSync(join(tmpdir(), "provision-backups-")), "b");
    await expect(backup(fakeHost(1), host, root, () => {})).rejects.toThrow(
      "the database dump failed (exit 1): pg_dump: error: connection lost",
    );
    const [partial = ""] = readdirSync(root);
    expect(partial).toMatch(/^matrix-\d{8}T\d{6}Z\.partial$/);
    await expect(verifyBackup(join(root, partial))).rejects.toThrow("MANIFEST.json is missing");
  });
});

describe("verifyBackup refuses a damaged backup", () => {
  it("a truncated file", async () => {
    const { dir } = await takeBackup();
    truncateSync(join(dir, "media.tar"), 1000);
    await expect(verifyBackup(dir)).rejects.toThrow(
      /media\.tar has 1000 bytes, the manifest says \d+ \(truncated\)/,
    );
  });

  it("a changed byte", async () => {
    const { dir } = await takeBackup();
    const p = join(dir, "synapse.dump");
    const b = readFileSync(p);
    b[3] = (b[3] ?? 0) ^ 1;
    writeFileSync(p, b);
    await expect(verifyBackup(dir)).rejects.toThrow("synapse.dump: sha256");
  });

  it("a file grown, a file missing, a broken manifest", async () => {
    const { dir } = await takeBackup();
    appendFileSync(join(dir, "roles.sql"), "x");
    await expect(verifyBackup(dir)).rejects.toThrow("roles.sql has");
    const second = (await takeBackup()).dir;
    unlinkSync(join(second, "config.tar"));
    await expect(verifyBackup(second)).rejects.toThrow("config.tar is missing");
    const third = (await takeBackup()).dir;
    writeFileSync(join(third, MANIFEST), '{"format": 1');
    await expect(verifyBackup(third)).rejects.toThrow("MANIFEST.json is not valid JSON");
    const m = JSON.parse(readFileSync(join(second, MANIFEST), "utf8")) as Manifest;
    writeFileSync(join(third, MANIFEST), JSON.stringify({ ...m, tables: { users: "2000" } }));
    await expect(verifyBackup(third)).rejects.toThrow("tables is not a map of row counts");
    expect(existsSync(join(tmpdir(), "nowhere-backup"))).toBe(false);
    await expect(verifyBackup(join(tmpdir(), "nowhere-backup"))).rejects.toThrow("not a directory");
  });
});

describe("restore's comparisons", () => {
  it("name every table and media file that differs, is missing or is extra", async () => {
    const { countDifferences, mediaDifferences } = await import("../../src/ops/manifest.js");
    expect(countDifferences({ a: 1, b: 2, c: 3 }, { a: 1, b: 5, d: 0 })).toEqual([
      "b: 5 rows, backup had 2",
      "c: missing (backup had 3 rows)",
      "d: not in the backup",
    ]);
    expect(mediaDifferences({ x: "1", y: "2" }, { x: "1", y: "3" })).toEqual([
      "y: checksum differs",
    ]);
    expect(mediaDifferences({ x: "1" }, {})).toEqual(["x: missing"]);
  });
});
