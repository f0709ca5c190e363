// daemon(8) of the test host. Reference: usr.sbin/daemon/daemon.c (daemon(3): fork, setsid; -f
// puts standard input, output and error on /dev/null) and daemon(8): "-f Redirect standard
// input, standard output and standard error to /dev/null". The firewall's rollback timer relies
// on the new session: ending the caller's process group must not end it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/procs.js";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
beforeEach(() => {
  host = makeRoot();
});
afterEach(() => host.cleanup());

describe("daemon -f", () => {
  it("returns at once and runs the command in a session of its own, output on /dev/null", async () => {
    const out = join(host.root, "ids");
    const t0 = Date.now();
    const r = host.run("/usr/sbin/daemon", [
      "-f",
      "/bin/sh",
      "-c",
      `sleep 0.3; echo "$$ $(ps -o sid= -p $$)" > ${out}; echo to-stdout`,
    ]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(Date.now() - t0).toBeLessThan(3000);
    const ids = await waitFor("the daemon's output", () => {
      try {
        return readFileSync(out, "utf8").trim().split(/\s+/);
      } catch {
        return undefined;
      }
    });
    // A session leader: its session id is its own pid.
    expect(ids[0]).toBe(ids[1]);
    expect(Number(ids[1])).not.toBe(Number(spawnSync("sh", ["-c", "ps -o sid= -p $$"]).stdout));
  });

  it("refuses an unknown option with daemon(8)'s usage, exit 64", () => {
    expect(host.run("/usr/sbin/daemon", ["-z", "true"])).toMatchObject({ code: 64 });
    expect(host.run("/usr/sbin/daemon", [])).toMatchObject({ code: 64 });
  });
});
