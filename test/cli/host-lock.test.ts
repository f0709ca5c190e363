// Every command that changes a host, or stops Synapse as a backup does, holds the host's lock (the one apply and the scheduled backup
// take) before it sends anything: a restore, a PostgreSQL upgrade, an update or a renewal never
// runs beside an apply, another such command, or a scheduled backup that stops Synapse.
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { withHostLock } from "../../src/apply/lock.js";
import type { Connector, ExecResult } from "../../src/connector/types.js";
import { captureOutput } from "./capture.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const holder = "scheduled backup (/usr/local/sbin/provision-backup), process 4711 on the host";

/** A host whose lock is held by someone else (or free), recording every script sent to it. */
function fakeHost(held: boolean) {
  const sent: string[] = [];
  let released = 0;
  const conn: Connector = {
    name: "matrix",
    roundTrips: 0,
    exec: async (script: string): Promise<ExecResult> => {
      sent.push(script);
      return { code: 0, stdout: "", stderr: "" };
    },
    hold: async (script: string) => {
      sent.push(script);
      return {
        first: held ? `locked\t${holder}\n` : "taken 4242\n",
        release: async () => {
          released++;
        },
      };
    },
    close: async () => {},
  };
  return { conn, sent, released: () => released };
}

let host = fakeHost(true);
vi.mock("../../src/connector/connect-host.js", () => ({
  connectHost: async () => host.conn,
  sshToHost: async () => host.conn,
}));

const ctx = () => ({
  inventoryFile: join(root, "inventory.example.yaml"),
  out: captureOutput(false).out,
  debug: false,
});

describe("commands that change a host take its lock first", () => {
  beforeEach(() => {
    host = fakeHost(true);
  });

  const commands: [string, () => Promise<number>][] = [
    [
      "backup",
      async () =>
        (await import("../../src/commands/backup/run.js")).run(ctx(), {
          host: "matrix",
          to: join(tmpdir(), "provision-backup-never-written"),
        }),
    ],
    [
      "upgrade-postgres --cleanup",
      async () =>
        (await import("../../src/commands/upgrade-postgres/run.js")).run(ctx(), {
          host: "matrix",
          cleanup: true,
          dump: true,
          yes: true,
        } as never),
    ],
    [
      "update",
      async () =>
        (await import("../../src/commands/update/run.js")).run(ctx(), {
          host: "matrix",
          yes: true,
        }),
    ],
    [
      "renew-certs",
      async () =>
        (await import("../../src/commands/renew-certs/run.js")).run(ctx(), {
          host: "matrix",
        } as never),
    ],
  ];

  for (const [name, run] of commands)
    it(`${name} is refused while the lock is held, having sent nothing but the lock`, async () => {
      let error: unknown;
      let code: number | undefined;
      try {
        code = await run();
      } catch (e) {
        error = e;
      }
      // renew-certs reports per host; the others stop with the refusal.
      const text = error instanceof Error ? error.message : String(code);
      if (error) expect(text).toContain(`host matrix is locked (${holder})`);
      else expect(code).toBe(1);
      expect(host.sent).toHaveLength(1);
      expect(host.sent[0]).toContain("lockf -k -t 0 /var/run/provision.lock");
    });
});

describe("withHostLock", () => {
  it("names the command in the lock and releases it when the work fails", async () => {
    host = fakeHost(false);
    await expect(
      withHostLock(host.conn, "restore", async () => {
        throw new Error("restore failed");
      }),
    ).rejects.toThrow("restore failed");
    expect(host.sent[0]).toMatch(/provision restore by \S+@\S+ pid \d+ since \d{4}-/);
    expect(host.released()).toBe(1);
  });

  it("does not run the work when the lock is held", async () => {
    host = fakeHost(true);
    const work = vi.fn(async () => 1);
    await expect(withHostLock(host.conn, "restore", work)).rejects.toThrow(
      `host matrix is locked (${holder})`,
    );
    expect(work).not.toHaveBeenCalled();
  });
});
