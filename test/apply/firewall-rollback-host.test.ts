// The rollback scripts of a firewall change, run with /bin/sh against the test host's emulated
// ipfw, sysctl, sysrc, service and daemon in a temporary root (rc.d/ipfw of the test host after
// src:libexec/rc/rc.d/ipfw@2b1950d6e846: start turns on net.inet.ip.fw.enable and
// net.inet6.ip6.fw.enable, stop turns both off). What a rollback returns to, and which timer may
// restore, decides whether a host stays reachable.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  armScript,
  confirmScript,
  FIREWALL_DIR,
  rollbackNowScript,
} from "../../src/apply/firewall-rollback.js";
import { STATE_DIR } from "../../src/facts/created-dirs.js";
import { waitFor } from "../helpers/procs.js";
import { makeRoot } from "../testhost/emu.js";

let host: ReturnType<typeof makeRoot>;
beforeEach(() => {
  host = makeRoot();
  host.installRc("/etc/rc.d/ipfw", "ipfw", "/etc/rc.d");
  host.write("/etc/rc.conf", 'sshd_enable="YES"\n');
});
afterEach(() => {
  // Timers still waiting end with their root.
  spawnSync("/bin/sh", [
    "-c",
    `for t in ${host.file(FIREWALL_DIR)}/timer.*; do read -r p g < "$t" && kill -TERM -"$g"; done 2>/dev/null; true`,
  ]);
  host.cleanup();
});

// The state directory under the temporary root; this machine has no wheel group (gid 0 on FreeBSD).
const onHost = (script: string) =>
  script.replaceAll(STATE_DIR, host.file(STATE_DIR)).replaceAll("root:wheel", "0:0");
const sh = (script: string) => host.sh(onHost(script));
/** One firewall step of apply `run`: arm, then the step's own script, in one shell. */
const step = (run: string, token: string, seconds: number, body: string) =>
  sh(`${armScript(token, seconds, run)}\n${body}`);
const file = (name: string) => host.file(`${FIREWALL_DIR}/${name}`);
const check = (addr: string) => host.run("/usr/sbin/ipfw", ["testhost-check", "tcp", addr, "22"]);
const rules = () => host.run("/usr/sbin/ipfw", ["list"]).stdout;
const load = (...r: string[]) =>
  ["ipfw -q -f flush", ...r.map((x) => `ipfw -q add ${x}`)].join(" && ");
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const timerPid = (token: string) =>
  Number(readFileSync(file(`timer.${token}`), "utf8").split(" ")[0]);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("a rollback to no firewall", () => {
  it("turns IPv4 and IPv6 filtering off again and takes back rc.conf's firewall_* values", () => {
    // Rules that refuse every new connection: the change a rollback exists for.
    host.write("/etc/fw.rules", `${load("65000 deny ip from any to any")}\n`);
    const set = step("r1", "r1-0", 60, "sysrc firewall_enable=YES firewall_logging=YES");
    expect(set.code, set.stderr).toBe(0);
    expect(sh(confirmScript("r1-0")).stdout).toBe("confirmed\n");
    host.sh("sysrc firewall_script=/etc/fw.rules");
    const start = step("r1", "r1-1", 60, "service ipfw start");
    expect(start.code, start.stderr).toBe(0);
    expect(check("203.0.113.7").stdout).toBe("deny 65000\n");
    expect(check("2001:db8:5::7").stdout).toBe("deny 65000\n");
    // Not confirmed: restored at once, to the state before this apply's first firewall step.
    expect(sh(rollbackNowScript("r1-1")).stdout).toMatch(/^rolled back /);
    expect(
      host.run("/usr/sbin/sysctl", ["-n", "net.inet.ip.fw.enable", "net.inet6.ip6.fw.enable"])
        .stdout,
    ).toBe("0\n0\n");
    expect(check("203.0.113.7").stdout).toBe("allow (no firewall)\n");
    expect(check("2001:db8:5::7").stdout).toBe("allow (no firewall)\n");
    expect(host.read("/etc/rc.conf")).toBe('sshd_enable="YES"\n');
    expect(host.sh("service ipfw status")).toMatchObject({ stdout: "ipfw is not enabled\n" });
  });

  it("puts back rules, switches and rc.conf values that were there, and only those", () => {
    host.write("/etc/rc.conf", 'sshd_enable="YES"\nfirewall_enable="YES"\nfirewall_type="open"\n');
    expect(host.sh(`kldload ipfw && ${load("100 allow ip from any to any")}`).code).toBe(0);
    host.sh("sysctl net.inet6.ip6.fw.enable=0");
    const before = rules();
    const r = step(
      "r1",
      "r1-0",
      60,
      `sysrc firewall_type=closed firewall_quiet=YES && sysctl net.inet6.ip6.fw.enable=1 && ${load("200 deny ip from any to any")}`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(sh(rollbackNowScript("r1-0")).stdout).toMatch(/^rolled back /);
    expect(rules()).toBe(before);
    expect(host.sh("sysctl -n net.inet.ip.fw.enable net.inet6.ip6.fw.enable").stdout).toBe(
      "1\n0\n",
    );
    expect(host.sh("sysrc -a | grep ^firewall_").stdout).toBe(
      "firewall_enable: YES\nfirewall_type: open\n",
    );
  });
});

describe("a rerun within the confirmation window", () => {
  const A = ["100 allow tcp from 203.0.113.0/24 to me 22 setup"];
  const B = ["200 allow tcp from 198.51.100.0/24 to me 22 setup"];
  const C = ["300 allow tcp from 192.0.2.0/24 to me 22 setup"];
  beforeEach(() => {
    expect(host.sh(`kldload ipfw && ${load(...A)}`).code).toBe(0);
  });

  it("ends the timer of an earlier, cut run before arming its own: the confirmed rules stay", async () => {
    // Run 1 loads B and is cut before a new connection confirms them.
    expect(step("r1", "r1-0", 3, load(...B)).code).toBe(0);
    const first = timerPid("r1-0");
    expect(alive(first)).toBe(true);
    // Run 2, within run 1's window, loads C and confirms it.
    const r = step("r2", "r2-0", 3, load(...C));
    expect(r.code, r.stderr).toBe(0);
    expect(alive(first)).toBe(false);
    expect(existsSync(file("timer.r1-0"))).toBe(false);
    expect(sh(confirmScript("r2-0")).stdout).toBe("confirmed\n");
    // Past run 1's window: nothing restored over run 2's confirmed rules.
    await sleep(4_500);
    expect(existsSync(file("outcome.r1-0"))).toBe(false);
    expect(rules()).toContain("00300 allow tcp from 192.0.2.0/24 to me 22 setup");
  });

  it("returns to the rules confirmed last, not to those of the cut run, when the rerun is not confirmed either", async () => {
    expect(step("r1", "r1-0", 2, load(...B)).code).toBe(0);
    expect(step("r2", "r2-0", 2, load(...C)).code).toBe(0);
    const outcome = await waitFor(
      "the rollback",
      () =>
        existsSync(file("outcome.r2-0")) ? readFileSync(file("outcome.r2-0"), "utf8") : undefined,
      10_000,
    );
    expect(outcome).toMatch(/^rolled back /);
    expect(rules()).toBe(
      "00100 allow tcp from 203.0.113.0/24 to me 22 setup\n65535 deny ip from any to any\n",
    );
  });

  it("waits for an earlier timer that is restoring right now, then loads its own rules after it", async () => {
    // An ipfw whose adds are slow: the earlier timer's restore takes a while.
    host.write(
      "/usr/local/sbin/ipfw",
      `#!/bin/sh\n[ "$2" = add ] && [ -f "$TESTHOST_ROOT/slow" ] && sleep 0.4\nexec "$TESTHOST_ROOT/usr/sbin/ipfw" "$@"\n`,
      0o755,
    );
    expect(
      host.sh(
        load(
          ...A,
          "110 allow tcp from 203.0.113.0/24 to me 80 setup",
          "120 allow tcp from 203.0.113.0/24 to me 443 setup",
        ),
      ).code,
    ).toBe(0);
    const before = rules();
    expect(step("r1", "r1-0", 2, load(...B)).code).toBe(0);
    host.write("/slow", "");
    await waitFor(
      "run 1's timer to fire",
      () => (existsSync(file("fired")) ? true : undefined),
      10_000,
    );
    const r = step("r2", "r2-0", 60, load(...C));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file("outcome.r1-0"), "utf8")).toMatch(/^rolled back /);
    expect(rules()).toBe(
      "00300 allow tcp from 192.0.2.0/24 to me 22 setup\n65535 deny ip from any to any\n",
    );
    // Its own rollback returns to what run 1's timer restored.
    expect(sh(rollbackNowScript("r2-0")).stdout).toMatch(/^rolled back /);
    expect(rules()).toBe(before);
  });
});

describe("the confirmation window", () => {
  it("counts from the end of the step that loads the rules, not from arming", async () => {
    const t0 = Date.now();
    // A load that takes longer than the window itself.
    expect(step("r1", "r1-0", 2, "sleep 3").code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    expect(existsSync(file("outcome.r1-0"))).toBe(false);
    expect(existsSync(file("armed.r1-0"))).toBe(true);
    await waitFor(
      "the rollback",
      () => (existsSync(file("outcome.r1-0")) ? true : undefined),
      10_000,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
  });
});
