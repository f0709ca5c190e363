import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { logLocation, logScript } from "../../src/ops/logs.js";

/** Runs a log script locally with /var/log/messages swapped for a file of ours. */
function runWith(
  script: string,
  messages: string,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("/bin/sh", ["-c", script.replaceAll("/var/log/messages", messages)], {
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("provision logs' scripts", () => {
  it("picks PostgreSQL's syslog lines out of /var/log/messages, the last N of them", () => {
    const dir = mkdtempSync(join(tmpdir(), "provision-logs-"));
    const messages = join(dir, "messages");
    writeFileSync(
      messages,
      [
        "Nov 28 01:00:00 matrix postgres[812]: [1-1] LOG:  database system is ready",
        "Nov 28 01:00:01 matrix turnserver[900]: 0: : Listener opened",
        "Nov 28 01:00:02 matrix postgres[812]: [2-1] LOG:  checkpoint starting: time",
        "Nov 28 01:00:03 matrix postgres[813]: [3-1] ERROR:  relation does not exist",
        "",
      ].join("\n"),
    );
    const r = runWith(logScript("postgresql", 2, false), messages);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "Nov 28 01:00:02 matrix postgres[812]: [2-1] LOG:  checkpoint starting: time\nNov 28 01:00:03 matrix postgres[813]: [3-1] ERROR:  relation does not exist\n",
    );
    expect(runWith(logScript("turnserver", 10, false), messages).stdout).toContain(
      "Listener opened",
    );
  });

  it("names a missing log file and fails only when none is there", () => {
    const r = runWith(logScript("postgresql", 5, false), "/nonexistent/messages");
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("no log file /nonexistent/messages\n");
  });

  it("reads FreeBSD's locations", () => {
    expect(logLocation("synapse").files).toEqual(["/var/log/matrix-synapse/homeserver.log"]);
    expect(logLocation("apache").files).toEqual([
      "/var/log/httpd-error.log",
      "/var/log/httpd-access.log",
    ]);
    expect(logScript("synapse", 100, true)).toContain('tail -n 100 -F "$@"');
  });
});
