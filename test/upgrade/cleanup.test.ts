// --cleanup removes only what a finished upgrade recorded, asks, and reports rm's own status.
import { describe, expect, it } from "vitest";
import { cleanup } from "../../src/upgrade/cleanup.js";
import { checkDumpDir } from "../../src/upgrade/preflight.js";
import { FakeConnector, session, stateAnswer } from "./fake-host.js";

const finished = stateAnswer({
  installed: 17,
  phase: "done",
  params: "13 17 /var/db/postgres/upgrade",
  dirs: ["/var/db/postgres/data13.pre-upgrade", "/var/db/postgres/data17"],
});
const removals = (conn: FakeConnector) => conn.sent(/rm -(r|f)/);

describe("upgrade-postgres --cleanup", () => {
  it.each([
    "/var/db/postgres",
    "/var/db",
    "/usr/local",
    "/etc",
    "/",
    "/var/db/postgres/upgrade/..",
    "/var/db/postgres/upgrade/../data17",
  ])("refuses --dump-dir %s before any host is contacted", (dir) => {
    expect(() => checkDumpDir(dir)).toThrow(/refused|must be an absolute path/);
  });

  it("refuses a --dump-dir that is not the recorded one: nothing removed", async () => {
    const conn = new FakeConnector([finished]);
    await expect(
      cleanup(session(conn), { dumpDir: "/var/db/postgres/data17.old" }),
    ).rejects.toThrow("is not the finished upgrade's dump directory");
    expect(removals(conn)).toEqual([]);
  });

  it("removes nothing without a finished upgrade recorded", async () => {
    const conn = new FakeConnector([stateAnswer({ installed: 17 })]);
    await expect(cleanup(session(conn), {})).rejects.toThrow("no finished upgrade is recorded");
    const midway = new FakeConnector([
      stateAnswer({ installed: 17, phase: "restored", params: "13 17 /var/db/postgres/upgrade" }),
    ]);
    await expect(cleanup(session(midway), {})).rejects.toThrow("is not finished");
    expect([...removals(conn), ...removals(midway)]).toEqual([]);
  });

  it("asks first; cancelled, it removes nothing", async () => {
    const conn = new FakeConnector([finished]);
    const s = session(conn, false);
    await cleanup(s, {});
    expect(s.questions).toEqual(["Remove them?"]);
    expect(removals(conn)).toEqual([]);
  });

  it("removes the kept directory and the dump it recorded, each checked for symlinks", async () => {
    const conn = new FakeConnector([finished]);
    await cleanup(session(conn), {});
    const [script] = removals(conn);
    expect(script).toContain("set -eu");
    expect(script).toContain("rm -rf /var/db/postgres/data13.pre-upgrade");
    expect(script).toContain("rm -f /var/db/postgres/upgrade/dump.sql");
    expect(script).toContain('realpath -- /var/db/postgres/upgrade)" != /var/db/postgres/upgrade');
    expect(script).not.toMatch(/rm -rf \/var\/db\/postgres\/upgrade\b/);
    expect(script).not.toContain("echo removed");
  });

  it("reports rm's real exit status", async () => {
    const conn = new FakeConnector([
      finished,
      [
        "rm -rf",
        { code: 1, stderr: "rm: /var/db/postgres/data13.pre-upgrade: Operation not permitted" },
      ],
    ]);
    await expect(cleanup(session(conn), {})).rejects.toThrow(
      "cleanup failed (exit 1): rm: /var/db/postgres/data13.pre-upgrade: Operation not permitted",
    );
  });
});
