import { describe, expect, it } from "vitest";
import { CHECK_EXIT, checkScript, gradeCheck, worst } from "../../src/ops/check.js";
import { opsHost } from "./host.js";

const host = opsHost();
const now = new Date("2026-11-28T00:00:00Z");
const healthy = [
  "svc\tpostgresql\tup",
  "svc\tsynapse\tup",
  "http\t/health\t0\t200",
  "https\t/_matrix/client/versions\t0\t200",
  "cert\tFeb 26 00:00:00 2027 GMT",
  "turn\t0",
  "disk\t/var/db/postgres\t10000000\t5000000",
  "audit\t0",
  "pending-end",
  "lock\tnone",
].join("\n");
const grade = (answer: string) => gradeCheck(host, answer, now);

describe("provision check's grading", () => {
  it("a healthy host is ok, exit 0", () => {
    const f = grade(healthy);
    expect(f.every((x) => x.status === "ok")).toBe(true);
    expect(CHECK_EXIT[worst(f)]).toBe(0);
  });

  it("a certificate inside renew_days warns; an expired one is critical", () => {
    const soon = grade(healthy.replace("Feb 26 00:00:00 2027", "Dec 10 00:00:00 2026"));
    expect(soon.find((x) => x.check === "certificate")).toMatchObject({ status: "warning" });
    expect(CHECK_EXIT[worst(soon)]).toBe(1);
    const gone = grade(healthy.replace("Feb 26 00:00:00 2027", "Nov 1 00:00:00 2026"));
    expect(gone.find((x) => x.check === "certificate")).toMatchObject({ status: "critical" });
    expect(CHECK_EXIT[worst(gone)]).toBe(2);
  });

  it("a stopped service, a certificate not valid for the name, a full disk are critical", () => {
    expect(grade(healthy.replace("synapse\tup", "synapse\tdown"))).toContainEqual({
      check: "service synapse",
      status: "critical",
      detail: "not running",
    });
    expect(grade(healthy.replace("versions\t0\t200", "versions\t60\t000"))).toContainEqual({
      check: "client API through Apache",
      status: "critical",
      detail: "the certificate is not valid for the name",
    });
    expect(
      grade(healthy.replace("10000000\t5000000", "10000000\t400000")).find((x) =>
        x.check.startsWith("disk"),
      ),
    ).toMatchObject({ status: "critical" });
  });

  it("pkg audit findings and a stale lock warn; an unknown answer is unknown", () => {
    expect(grade(healthy.replace("audit\t0", "audit\t1\tcurl-8.1.0 "))).toContainEqual({
      check: "pkg audit",
      status: "warning",
      detail: "vulnerable: curl-8.1.0",
    });
    expect(
      grade(healthy.replace("audit\t0", "audit\t65\t")).find((x) => x.check === "pkg audit"),
    ).toMatchObject({
      status: "unknown",
      detail: expect.stringContaining("pkg audit -F"),
    });
    // A lock an older provision left (a directory) blocks apply: warn. A live one is an apply
    // running; a lock file nobody holds is free (the next apply takes it).
    expect(
      grade(healthy.replace("lock\tnone", "lock\tstale-dir\troot@laptop")).at(-1),
    ).toMatchObject({ status: "warning" });
    expect(
      grade(healthy.replace("lock\tnone", "lock\tlive\troot@laptop pid 7")).at(-1),
    ).toMatchObject({ status: "ok", detail: "held by root@laptop pid 7" });
    expect(grade(healthy.replace("lock\tnone", "lock\tstale\troot@laptop")).at(-1)).toMatchObject({
      status: "ok",
      detail: "free",
    });
    expect(
      grade(healthy.replace("turn\t0", "turn\tabsent")).find((x) => x.check === "TURN"),
    ).toMatchObject({
      status: "unknown",
    });
  });

  it("a handler an interrupted apply left due warns, naming it; none is ok", () => {
    const due = grade(
      healthy.replace(
        "pending-end",
        "pending\tcoturn\trestart turnserver\npending\tsynapse\trestart synapse\npending-end",
      ),
    );
    expect(due.find((x) => x.check === "pending handlers")).toEqual({
      check: "pending handlers",
      status: "warning",
      detail: expect.stringContaining("restart turnserver (coturn), restart synapse (synapse)"),
    });
    expect(CHECK_EXIT[worst(due)]).toBe(1);
    expect(grade(healthy).find((x) => x.check === "pending handlers")).toMatchObject({
      status: "ok",
    });
    expect(checkScript(host)).toContain("/var/db/provision/pending-handlers");
  });

  it("asks Synapse's /health of its listener and STUN of coturn's listening address", () => {
    const s = checkScript(host);
    // Apache forwards only /_matrix and /_synapse/client (Synapse's reverse-proxy advice).
    expect(s).toContain("http://127.0.0.1:8008/health");
    expect(s).not.toMatch(/https:\/\/[^ ]*\/health/);
    // turnserver.conf: listening-ip is the public address, so 127.0.0.1 never answers.
    expect(s).toMatch(/turnutils_stunclient -p 3478 '?192\.0\.2\.10'?/);
    expect(s).not.toContain("127.0.0.1 >/dev/null");
    expect(grade(healthy.replace("/health\t0\t200", "/health\t7\t000"))).toContainEqual({
      check: "Synapse /health on its listener",
      status: "critical",
      detail: "no answer (curl exit 7)",
    });
  });

  it("asks only what the inventory enables, read-only", () => {
    const s = checkScript(host);
    expect(s).toContain("--resolve");
    expect(s).toContain("service turnserver onestatus");
    expect(s).not.toMatch(/\b(rm -rf|mv|chown|chmod) /);
  });
});

describe("the scheduled backup's age in check", () => {
  const scheduled = (schedule: string) => {
    const h = opsHost();
    h.config.backup.scheduled = { ...h.config.backup.scheduled, enabled: true, schedule };
    return h;
  };
  const daily = scheduled("30 2 * * *");

  it("is asked only when the schedule is on, of the schedule's own complete backups", () => {
    expect(checkScript(host)).not.toContain("schedbak");
    const s = checkScript(daily);
    expect(s).toContain("/var/backups/matrix/matrix-*Z");
    expect(s).toContain(".provision-scheduled");
  });

  it("warns when none exists or the newest is older than twice the schedule's period", () => {
    const at = (line: string, h = daily) =>
      gradeCheck(h, `${healthy}\n${line}`, now).find((x) => x.check === "scheduled backup");
    expect(at("schedbak\tmatrix-20261127T023000Z")).toMatchObject({
      status: "ok",
      detail: "newest matrix-20261127T023000Z (21 hours old)",
    });
    expect(at("schedbak\tmatrix-20261125T023000Z")).toMatchObject({ status: "warning" });
    expect(at("schedbak\tnone")).toMatchObject({
      status: "warning",
      detail: expect.stringContaining("no scheduled backup"),
    });
    // Weekly: five days is fine.
    expect(at("schedbak\tmatrix-20261123T023000Z", scheduled("30 2 * * 1"))).toMatchObject({
      status: "ok",
    });
  });

  it("asks the backup directory's free space and the last run's result", () => {
    const s = checkScript(daily);
    expect(s).toContain(
      "for d in /var/db/postgres /var/db/matrix-synapse/media_store /var/backups/matrix; do df -k",
    );
    expect(s).toContain("/var/db/provision/scheduled-backup-last");
    expect(checkScript(host)).not.toContain("scheduled-backup-last");
  });

  it("warns when the last run failed, naming when and why; a good run is ok", () => {
    const last = (line: string) =>
      gradeCheck(daily, `${healthy}\n${line}`, now).find((x) => x.check === "scheduled backup run");
    expect(
      last(
        "schedlast\tfailed\t2026-11-27T02:30:04Z\tnot enough room in /var/backups/matrix: about 900 MiB needed (database 700 MiB, media store 100 MiB, and a margin), 120 MiB free",
      ),
    ).toEqual({
      check: "scheduled backup run",
      status: "warning",
      detail:
        "the last run failed at 2026-11-27T02:30:04Z: not enough room in /var/backups/matrix: about 900 MiB needed (database 700 MiB, media store 100 MiB, and a margin), 120 MiB free; see /var/log/provision-backup.log",
    });
    expect(last("schedlast\tok\t2026-11-27T02:31:10Z\t")).toEqual({
      check: "scheduled backup run",
      status: "ok",
      detail: "the last run succeeded at 2026-11-27T02:31:10Z",
    });
    expect(last("pending-end")).toBeUndefined();
    // A run that started Synapse again after an earlier one was killed says so.
    expect(
      last(
        "schedlast\tok\t2026-11-27T02:31:10Z\tan earlier run (run started 2026-11-26T02:30:00Z, process 4711) ended with Synapse stopped by it; Synapse started again at 2026-11-27T02:30:01Z",
      ),
    ).toMatchObject({
      status: "ok",
      detail: expect.stringContaining("(an earlier run (run started 2026-11-26T02:30:00Z"),
    });
  });

  it("a scheduled run that ended with Synapse stopped (killed) is critical, until Synapse runs", () => {
    const s = checkScript(daily);
    expect(s).toContain(
      "if [ -f /var/db/provision/synapse-stopped-by-backup ] && lockf -k -t 0 /var/run/provision-backup.lock true 2>/dev/null; then",
    );
    const found = gradeCheck(
      daily,
      `${healthy}\nschedstopped\trun started 2026-11-27T02:30:00Z, process 4711`,
      now,
    ).find((x) => x.check === "synapse stopped by a backup");
    expect(found).toMatchObject({
      status: "critical",
      detail: expect.stringContaining(
        "a scheduled backup (run started 2026-11-27T02:30:00Z, process 4711) stopped Synapse and ended without starting it again",
      ),
    });
    expect(
      gradeCheck(daily, healthy, now).find((x) => x.check === "synapse stopped by a backup"),
    ).toBeUndefined();
  });
});
