// Rolling back never deletes a verified new cluster: it is dumped (clients stopped and locked
// out), stopped and kept; before verification the unverified cluster may go.
import { describe, expect, it } from "vitest";
import { rollback } from "../../src/upgrade/rollback.js";
import { upgrade } from "../../src/upgrade/upgrade.js";
import { FakeConnector, session, stateAnswer } from "./fake-host.js";

const DIRS = ["/var/db/postgres/data13.pre-upgrade", "/var/db/postgres/data17"];
const finished = (phase = "done") =>
  stateAnswer({ installed: 17, phase, params: "13 17 /var/db/postgres/upgrade", dirs: DIRS });
const deletesNew = (conn: FakeConnector) => conn.sent(/rm -rf \/var\/db\/postgres\/data17\b/);

describe("upgrade-postgres --rollback", () => {
  it("after a finished upgrade: asks, stops every client, dumps, keeps the new cluster", async () => {
    const conn = new FakeConnector([finished()]);
    const s = session(conn);
    await rollback(s, { dump: true });
    expect(s.questions).toEqual(["Roll back?"]);
    const plan = s.events.find((e) => e.type === "rollback_plan");
    expect(plan).toMatchObject({ afterVerification: true });
    const [aside] = conn.sent("after-upgrade.sql");
    expect(aside).toBeDefined();
    const at = (t: string) => (aside as string).indexOf(t);
    expect(at("service $s onestop")).toBeGreaterThan(-1);
    expect(at("service $s onestop")).toBeLessThan(at("pg_terminate_backend"));
    expect(at("pg_terminate_backend")).toBeLessThan(at("pg_dumpall"));
    expect(at("pg_dumpall")).toBeLessThan(at("service postgresql onestop"));
    expect(aside).toContain("mv /var/db/postgres/data17 /var/db/postgres/data17.rolled-back");
    expect(deletesNew(conn)).toEqual([]);
    expect(conn.sent("not deleting a verified cluster")).toHaveLength(1);
    expect(s.events.at(-1)).toMatchObject({
      outcome: "rolled_back",
      message: expect.stringContaining("kept in /var/db/postgres/data17.rolled-back"),
    });
  });

  it("a failed dump rolls nothing back and lets clients in again", async () => {
    const conn = new FakeConnector([
      finished(),
      [
        "after-upgrade.sql",
        { code: 1, stderr: "pg_dumpall: error: aborting because of server version mismatch" },
      ],
    ]);
    await expect(rollback(session(conn), { dump: true })).rejects.toThrow(
      "the dump of PostgreSQL 17 failed (exit 1): nothing was rolled back",
    );
    expect(conn.sent("pkg add")).toEqual([]);
    expect(conn.sent("pg_hba.conf.provision-saved pg_hba.conf").length).toBeGreaterThan(0);
  });

  it("cancelled at the question, changes nothing", async () => {
    const conn = new FakeConnector([finished()]);
    await rollback(session(conn, false), { dump: true });
    expect(conn.scripts).toHaveLength(1);
  });

  it("before verification, removes the unverified cluster (nothing but the restore was in it)", async () => {
    const conn = new FakeConnector([finished("restored")]);
    const s = session(conn);
    await rollback(s, { dump: true });
    expect(s.events.find((e) => e.type === "rollback_plan")).toMatchObject({
      afterVerification: false,
    });
    expect(conn.sent("after-upgrade.sql")).toEqual([]);
    expect(deletesNew(conn)).toHaveLength(1);
  });

  it("refuses a --dump-dir other than the recorded one", async () => {
    const conn = new FakeConnector([finished()]);
    await expect(
      rollback(session(conn), { dumpDir: "/var/db/postgres/elsewhere", dump: true }),
    ).rejects.toThrow("is not the recorded upgrade's");
    expect(conn.scripts).toHaveLength(1);
  });
});

describe("the automatic rollback", () => {
  /** A fresh 13 -> 17 upgrade where the phase whose script contains `failing` fails. */
  async function upgradeFailingAt(failing: string) {
    const conn = new FakeConnector([
      stateAnswer({ installed: 13 }),
      [failing, { code: 1, stderr: "boom" }],
    ]);
    const s = session(conn);
    const err = await upgrade(s, { to: 17, dumpDir: "/var/db/postgres/upgrade" }).catch((e) => e);
    return { conn, s, err: err as Error };
  }

  it("rolls back a failure before verification (mid-restore)", async () => {
    const { conn, err } = await upgradeFailingAt("CREATE ROLE postgres");
    expect(err.message).toContain("upgrade failed at 'restored'; rolled back");
    expect(deletesNew(conn)).toHaveLength(1);
  });

  it("never rolls back once the rows were verified: the new cluster is kept", async () => {
    const { conn, s, err } = await upgradeFailingAt("curl -sf http://127.0.0.1:8008/health");
    expect(err.message).toContain(
      "upgrade failed at 'services-started', after PostgreSQL 17 was verified: it keeps every row, and is not rolled back",
    );
    expect(deletesNew(conn)).toEqual([]);
    expect(conn.sent("pkg add")).toEqual([]);
    expect(s.events.some((e) => e.type === "upgrade_rollback")).toBe(false);
  });

  it("a failure before the old server stopped lets clients in and starts the upgrade over", async () => {
    const { conn, err } = await upgradeFailingAt("pg_dumpall -f");
    expect(err.message).toContain("upgrade stopped at 'dumped' before the old server was touched");
    const [reopen] = conn.sent("pg_hba.conf.provision-saved pg_hba.conf");
    expect(reopen).toContain("service $s onestart");
    expect(reopen).toContain("printf '%s\\n' fetched >");
  });
});
