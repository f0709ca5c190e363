// restore on a scripted host: refusals before any change, nothing sent when the answer is no,
// and the verification comparing the host with the manifest.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RestoreEvent } from "../../src/ops/events.js";
import type { Manifest } from "../../src/ops/manifest.js";
import { restore } from "../../src/ops/restore.js";
import { FakeDataHost } from "./fake-data-host.js";
import { opsHost } from "./host.js";

const host = opsHost();

function mediaTar(content: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "provision-media-"));
  mkdirSync(join(dir, "media_store/local_content"), { recursive: true });
  writeFileSync(join(dir, "media_store/local_content/abc"), content);
  return spawnSync("tar", ["-cf", "-", "-C", dir, "media_store"]).stdout;
}

function backupDir(): { dir: string; manifest: Manifest } {
  const dir = mkdtempSync(join(tmpdir(), "provision-restore-"));
  const files = ["synapse.dump", "roles.sql", "media.tar", "config.tar"].map((name) => {
    writeFileSync(join(dir, name), name);
    return { name, size: name.length, sha256: "x" };
  });
  const manifest: Manifest = {
    format: 1,
    host: "matrix",
    server_name: "m.example.org",
    created: "2026-11-28T00:00:00.000Z",
    postgresql_major: 17,
    database: "synapse",
    excluded_table_data: ["e2e_one_time_keys_json"],
    tables: { events: 10, users: 2 },
    signing_key_id: "ed25519:a_test",
    config_files: ["/usr/local/etc/matrix-synapse/homeserver.yaml"],
    media: {
      "media_store/local_content/abc":
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    },
    secrets_in_store: ["signing_key"],
    files,
    seconds: 1,
  };
  return { dir, manifest };
}

function fake(opts: { pg?: string; counts?: string; media?: string } = {}): FakeDataHost {
  return new FakeDataHost(
    [
      ["show server_version_num", { stdout: `${opts.pg ?? "170004"}\n1\n1\n` }],
      ["\\gexec\nPROVISION_SQL", { stdout: opts.counts ?? "events\t10\nusers\t2\n" }],
      ["head -1", { stdout: "ed25519:a_test\n" }],
      ["/health", { stdout: "OK" }],
      ["key/v2/server", { stdout: '{"verify_keys": {"ed25519:a_test": {"key": "k"}}}' }],
    ],
    [
      ["cat >", { countsInput: true }],
      ["media_store", { bytes: mediaTar(opts.media ?? "abc") }],
    ],
  );
}

async function go(conn: FakeDataHost, answer = true, over: Partial<Manifest> = {}) {
  const { dir, manifest } = backupDir();
  const events: RestoreEvent[] = [];
  const ok = await restore({
    conn,
    host,
    from: dir,
    manifest: { ...manifest, ...over },
    storeKeyId: "ed25519:a_test",
    emit: (e) => events.push(e),
    confirm: async () => answer,
  });
  return { ok, events };
}

const changing = (conn: FakeDataHost) =>
  conn.scripts.filter((s) => /pg_restore|mv |install -o|onestop|mkdir -m 700/.test(s));

describe("provision restore (scripted host)", () => {
  it("refuses a backup of another server_name before looking at the host", async () => {
    const conn = fake();
    await expect(go(conn, true, { server_name: "other.example.org" })).rejects.toThrow(
      "is of other.example.org; host matrix serves m.example.org: refused",
    );
    expect(conn.scripts).toEqual([]);
  });

  it("refuses a host whose PostgreSQL is older than the dump's; changes nothing", async () => {
    const conn = fake({ pg: "160004" });
    await expect(go(conn)).rejects.toThrow(
      "host matrix runs PostgreSQL 16; the backup was dumped from 17: refused",
    );
    expect(changing(conn)).toEqual([]);
  });

  it("shows the plan and changes nothing when the answer is no", async () => {
    const conn = fake();
    const { ok, events } = await go(conn, false);
    expect(ok).toBe(false);
    const plan = events[0];
    expect(plan?.type).toBe("restore_plan");
    if (plan?.type === "restore_plan") {
      expect(plan.items[0]?.current).toMatch(
        /^renamed to synapse_before_restore_\d{8}T\d{6}Z and kept$/,
      );
      expect(plan.warnings[0]).toContain("e2e_one_time_keys_json");
    }
    expect(changing(conn)).toEqual([]);
  });

  it("restores, then verifies rows, media, key and endpoints against the manifest", async () => {
    const conn = fake();
    const { ok, events } = await go(conn);
    const checks = events.filter((e) => e.type === "restore_check");
    expect(checks.map((c) => (c.type === "restore_check" ? [c.check, c.ok] : []))).toEqual([
      ["row counts", true],
      ["media checksums", true],
      ["signing key id", true],
      ["/health", true],
      ["/_matrix/key/v2/server", true],
    ]);
    expect(ok).toBe(true);
    // Staged in root's own directory, removed afterwards.
    expect(conn.scripts.some((s) => s.includes("rm -rf /var/db/provision/ops/restore-"))).toBe(
      true,
    );
    expect(Buffer.concat(conn.received).toString()).toBe(
      "synapse.dumproles.sqlmedia.tarconfig.tar",
    );
  });

  it("a row count or a media file that differs fails the restore", async () => {
    const { ok, events } = await go(fake({ counts: "events\t9\nusers\t2\n", media: "abd" }));
    expect(ok).toBe(false);
    const failed = events.filter((e) => e.type === "restore_check" && !e.ok);
    expect(failed.map((e) => (e.type === "restore_check" ? e.detail : ""))).toEqual([
      "events: 9 rows, backup had 10",
      "media_store/local_content/abc: checksum differs",
    ]);
  });

  it("counts the rows before Synapse starts: rows a running Synapse writes at once are no difference", async () => {
    // After its start the real Synapse has added rows of its own (measured with 1.160.0).
    class StartingSynapse extends FakeDataHost {
      override async exec(script: string) {
        const started = this.scripts.some((s) => s.includes("service synapse onestart"));
        if (started && script.includes("PROVISION_SQL")) {
          this.scripts.push(script);
          return {
            code: 0,
            stdout: "events\t10\nusers\t2\ncache_invalidation_stream_by_instance\t2\n",
            stderr: "",
          };
        }
        return super.exec(script);
      }
    }
    const base = fake();
    const conn = new StartingSynapse(base.execRules, base.dataRules);
    const { ok, events } = await go(conn);
    expect(
      events.find((e) => e.type === "restore_check" && e.check === "row counts"),
    ).toMatchObject({
      ok: true,
      detail: "2 tables equal to the manifest",
    });
    expect(ok).toBe(true);
    const counted = conn.scripts.findIndex(
      (s) => s.includes("PROVISION_SQL") && !s.includes("cat >"),
    );
    const start = conn.scripts.findIndex((s) => s.includes("service synapse onestart"));
    expect(counted).toBeGreaterThan(-1);
    expect(counted).toBeLessThan(start);
  });
});
