// The rollback scripts of a firewall change, run with /bin/sh against the test host's emulated
// ipfw, sysctl, sysrc, service and daemon in a temporary root (rc.d/ipfw of the test host after
// src:libexec/rc/rc.d/ipfw@2b1950d6e846: start turns on net.inet.ip.fw.enable and
// net.inet6.ip6.fw.enable, stop turns both off). What a rollback returns to, and which timer may
// restore, decides whether a host stays reachable.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  armScript,
  confirmScript,
  FIREWALL_DIR,
  rollbackNowScript,
} from "../../src/apply/firewall-rollback.js";
import { PATHS } from "../../src/freebsd/paths.js";
import { BACKUP_DIR, writeScript } from "../../src/resources/file.js";
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

// The host paths the scripts use, under the temporary root; this machine has no wheel group (gid 0
// on FreeBSD).
const HOST_PATHS =
  /(?<![\w./-])(\/var\/db\/provision|\/var\/backups\/provision|\/etc\/rc\.conf|\/etc\/rc\.firewall\.matrix|\/etc\/rc\.subr|\/usr\/local\/etc\/rc\.d)/g;
const onHost = (script: string) =>
  script.replace(HOST_PATHS, (p) => host.file(p)).replaceAll("root:wheel", "0:0");
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

  it("records a confirmation on the host, so a confirming connection that broke before it answered is not taken for a refusal", () => {
    const set = step("r1", "r1-0", 60, "sysrc firewall_enable=YES");
    expect(set.code, set.stderr).toBe(0);
    expect(sh(confirmScript("r1-0")).stdout).toBe("confirmed\n");
    // Asked again (the answer was lost): the host says it is confirmed, and nothing is restored.
    expect(sh(confirmScript("r1-0")).stdout).toMatch(/^confirmed \d{4}-\d\d-\d\dT/);
    expect(sh(rollbackNowScript("r1-0")).stdout).toMatch(/^confirmed /);
    expect(host.read("/etc/rc.conf")).toContain('firewall_enable="YES"');
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
      () => (existsSync(file("fired.r1-0")) ? true : undefined),
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

const FW = PATHS.firewallScript;
const A = "100 allow tcp from 203.0.113.0/24 to me 22 setup";
/** The firewall script as the firewall recipe writes it: one step of its own, armed. */
const writeFw = (text: string) => writeScript(FW, text, "root", "wheel", "0750");
const fwScript = (...r: string[]) => `#!/bin/sh\n${load(...r)}\n`;
/**
 * The backups of the firewall script: a file write keeps them under BACKUP_DIR + the path; the
 * restore, whose paths the test roots, under BACKUP_DIR + the rooted path.
 */
const backups = () =>
  [host.file(`${BACKUP_DIR}/etc`), host.file(`${BACKUP_DIR}${host.file("/etc")}`)].flatMap((d) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((n) => n.startsWith("rc.firewall.matrix."))
          .map((n) => readFileSync(`${d}/${n}`, "utf8"))
      : [],
  );

describe("a rollback of the persistent firewall (what a restart or a reboot loads)", () => {
  it("puts the firewall script back as it was, keeps the refused one as a backup, and a restart loads the old rules", () => {
    host.write(FW, fwScript(A), 0o750);
    host.write(
      "/etc/rc.conf",
      `sshd_enable="YES"\nfirewall_enable="YES"\nfirewall_script="${FW}"\n`,
    );
    expect(host.sh("service ipfw start").code).toBe(0);
    const before = rules();
    const text = host.read(FW);
    // The apply: the new script in one step, the reload in the next, both armed.
    const w = step("r1", "r1-0", 60, writeFw(fwScript("65000 deny ip from any to any")));
    expect(w.code, w.stderr).toBe(0);
    expect(sh(confirmScript("r1-0")).stdout).toBe("confirmed\n");
    expect(step("r1", "r1-1", 60, "service ipfw start").code).toBe(0);
    expect(rules()).toContain("65000 deny");
    expect(sh(rollbackNowScript("r1-1")).stdout).toMatch(/^rolled back /);
    expect(rules()).toBe(before);
    expect(host.read(FW)).toBe(text);
    expect(statSync(host.file(FW)).mode & 0o777).toBe(0o750);
    // The refused script is kept, as every file provision replaces is.
    expect(backups()).toEqual(
      expect.arrayContaining([fwScript(A), fwScript("65000 deny ip from any to any")]),
    );
    expect(host.sh("service ipfw restart").code).toBe(0);
    expect(rules()).toBe(before);
  });

  it("takes a firewall script that was not there before out of the way (into the backup directory)", () => {
    const w = step("r1", "r1-0", 60, writeFw(fwScript("65000 deny ip from any to any")));
    expect(w.code, w.stderr).toBe(0);
    expect(sh(confirmScript("r1-0")).stdout).toBe("confirmed\n");
    expect(step("r1", "r1-1", 60, `sysrc firewall_enable=YES firewall_script=${FW}`).code).toBe(0);
    expect(sh(rollbackNowScript("r1-1")).stdout).toMatch(/^rolled back /);
    expect(existsSync(host.file(FW))).toBe(false);
    expect(backups()).toEqual([fwScript("65000 deny ip from any to any")]);
    expect(host.read("/etc/rc.conf")).toBe('sshd_enable="YES"\n');
  });
});

describe("a restore that fails", () => {
  it("is recorded as failed, not as rolled back, when an ipfw add of the saved rules fails", async () => {
    expect(
      host.sh(`kldload ipfw && ${load(A, "200 allow tcp from 198.51.100.0/24 to me 22 setup")}`)
        .code,
    ).toBe(0);
    expect(
      step("r1", "r1-0", 60, `sysrc firewall_enable=YES && ${load("300 deny ip from any to any")}`)
        .code,
    ).toBe(0);
    // An ipfw that refuses one of the saved rules when they are put back.
    host.write(
      "/usr/local/sbin/ipfw",
      `#!/bin/sh\ncase " $* " in *" add 00200 "*) echo "ipfw: getsockopt(IP_FW_XADD): Invalid argument" >&2; exit 64 ;; esac\nexec "$TESTHOST_ROOT/usr/sbin/ipfw" "$@"\n`,
      0o755,
    );
    const now = sh(rollbackNowScript("r1-0"));
    expect(now.stdout).toMatch(/^rollback failed /);
    expect(readFileSync(file("outcome.r1-0"), "utf8")).toMatch(/^rollback failed /);
    expect(readFileSync(file("rollback.log"), "utf8")).toContain("ipfw add 00200");
    // What a restart loads was put back first, whatever the kernel part did.
    expect(host.read("/etc/rc.conf")).toBe('sshd_enable="YES"\n');
  });

  it("refuses a saved state that is not whole (cut short by a full disk): nothing is flushed", () => {
    expect(host.sh(`kldload ipfw && ${load(A)}`).code).toBe(0);
    expect(step("r1", "r1-0", 60, load("300 deny ip from any to any")).code).toBe(0);
    const saved = readFileSync(file("snapshot"), "utf8").split("\n");
    const firstRule = saved.findIndex((l) => l.startsWith("rule "));
    host.write(`${FIREWALL_DIR}/snapshot`, `${saved.slice(0, firstRule + 1).join("\n")}\n`);
    const now = sh(rollbackNowScript("r1-0"));
    expect(now.stdout).toMatch(/^rollback failed /);
    expect(readFileSync(file("rollback.log"), "utf8")).toContain("the saved state is incomplete");
    expect(rules()).toContain("00300 deny ip from any to any");
  });

  it("a write that fails while the state is saved fails the arming: the firewall is not changed", () => {
    expect(host.sh(`kldload ipfw && ${load(A)}`).code).toBe(0);
    host.write("/etc/rc.conf", 'sshd_enable="YES"\nfirewall_enable="YES"\n');
    const before = rules();
    // A sed whose output cannot be written (ENOSPC) while rc.conf's lines are saved.
    host.write(
      "/usr/local/sbin/sed",
      `#!/bin/sh\ncase "$*" in "s|^|rcline "*) echo "sed: stdout: No space left on device" >&2; exit 1 ;; esac\nexec /bin/sed "$@"\n`,
      0o755,
    );
    const r = step("r1", "r1-0", 60, load("300 deny ip from any to any"));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("No space left on device");
    expect(rules()).toBe(before);
    expect(existsSync(file("armed.r1-0"))).toBe(false);
  });

  it("is recorded as failed by the timer too", async () => {
    expect(host.sh(`kldload ipfw && ${load(A)}`).code).toBe(0);
    expect(step("r1", "r1-0", 1, load("300 deny ip from any to any")).code).toBe(0);
    host.write(
      "/usr/local/sbin/ipfw",
      `#!/bin/sh\ncase " $* " in *" add 00100 "*) exit 64 ;; esac\nexec "$TESTHOST_ROOT/usr/sbin/ipfw" "$@"\n`,
      0o755,
    );
    const outcome = await waitFor(
      "the rollback",
      () =>
        existsSync(file("outcome.r1-0")) ? readFileSync(file("outcome.r1-0"), "utf8") : undefined,
      10_000,
    );
    expect(outcome).toMatch(/^rollback failed /);
  });
});

/** A reboot of the emulated host: another boot time, a kernel without modules, no timers. */
const reboot = () => {
  spawnSync("/bin/sh", [
    "-c",
    `for t in ${host.file(FIREWALL_DIR)}/timer.*; do read -r p g < "$t" && kill -KILL -"$g"; done 2>/dev/null; true`,
  ]);
  const now = host.run("/usr/sbin/sysctl", ["-n", "kern.boottime"]).stdout;
  const sec = Number(/sec = (\d+)/.exec(now)?.[1]);
  host.write("/var/db/testhost-boottime", `${sec + 3600}\n`);
  rmSync(host.file("/var/db/testhost-kernel.json"), { force: true });
};
const HOOK = "/usr/local/etc/rc.d/provision_firewall";
/**
 * What /etc/rc does for the firewall, in one shell as FreeBSD's libexec/rc/rc does it: rc.conf
 * read once before the first script (load_rc_config, then `_rc_conf_loaded`), an ALRM trap that
 * rereads it, and each script sourced in a subshell with `faststart` (run_rc_script): the boot
 * hook (rcorder puts it before ipfw), then ipfw. Each script's output is told apart by a marker.
 */
const boot = () => {
  const scripts = [host.file(HOOK), host.file("/etc/rc.d/ipfw")];
  host.write(
    "/etc/rc",
    [
      `. ${host.file("/etc/rc.subr")}`,
      "load_rc_config",
      'trap "_rc_conf_loaded=false; load_rc_config" ALRM',
      `for _rc_elem in ${scripts.join(" ")}; do`,
      '  echo "==> $_rc_elem"; echo "==> $_rc_elem" >&2',
      '  ( set faststart; . "$_rc_elem" ); echo "<== $?"',
      "done",
      "",
    ].join("\n"),
    0o755,
  );
  const r = host.sh(`/bin/sh ${host.file("/etc/rc")}`);
  const part = (text: string, i: number) =>
    text.split(`==> ${scripts[i]}\n`)[1]?.split("==> ")[0] ?? "";
  const ran = (i: number) => {
    const [stdout = "", code] = part(r.stdout, i).split(/<== (\d+)\n/);
    return { code: Number(code), stdout, stderr: part(r.stderr, i) };
  };
  return { hook: ran(0), ipfw: ran(1) };
};

describe("a reboot within the confirmation window", () => {
  beforeEach(() => {
    host.write(FW, fwScript(A), 0o750);
    host.write(
      "/etc/rc.conf",
      `sshd_enable="YES"\nfirewall_enable="YES"\nfirewall_script="${FW}"\n`,
    );
    expect(host.sh("service ipfw start").code).toBe(0);
  });

  it("boots with the rules and the rc.conf confirmed last: the boot hook, ordered before ipfw, restores the saved script and rc.conf", () => {
    const before = rules();
    const conf = host.read("/etc/rc.conf");
    expect(step("r1", "r1-0", 60, writeFw(fwScript("65000 deny ip from any to any"))).code).toBe(0);
    expect(sh(confirmScript("r1-0")).stdout).toBe("confirmed\n");
    expect(step("r1", "r1-1", 60, "sysrc firewall_type=closed && service ipfw start").code).toBe(0);
    const text = readFileSync(host.file(HOOK), "utf8");
    expect(text).toMatch(/^# BEFORE: ipfw$/m);
    expect(text).toMatch(/^# REQUIRE: FILESYSTEMS$/m);
    reboot();
    const { hook, ipfw } = boot();
    expect(hook.code, hook.stderr).toBe(0);
    expect(ipfw.stdout).toContain("Firewall rules loaded.");
    expect(rules()).toBe(before);
    expect(host.read(FW)).toBe(fwScript(A));
    expect(host.read("/etc/rc.conf")).toBe(conf);
    expect(readFileSync(file("outcome.r1-1"), "utf8")).toMatch(/^rolled back at boot /);
    expect(readdirSync(file("")).filter((n) => n.startsWith("armed."))).toEqual([]);
    // The boot after that one has nothing to restore: the confirmed state stays.
    reboot();
    expect(boot().hook.stdout).toBe("");
    expect(rules()).toBe(before);
  });

  it("boots with no firewall again after an unconfirmed first firewall apply: rc.d/ipfw sees the rc.conf the hook put back", () => {
    // A host that had no firewall: the first apply enables it with rules that refuse SSH.
    host.write("/etc/rc.conf", 'sshd_enable="YES"\n');
    expect(host.sh("service ipfw stop; kldunload ipfw; true").code).toBe(0);
    rmSync(host.file(FW), { force: true });
    const first = step(
      "r1",
      "r1-0",
      60,
      `${writeFw(fwScript("65000 deny ip from any to any"))} && sysrc firewall_enable=YES firewall_script=${FW} >/dev/null && service ipfw start`,
    );
    expect(first.code, first.stderr).toBe(0);
    reboot();
    const { hook, ipfw } = boot();
    expect(hook.stdout).toMatch(/rolled back at boot/);
    expect(host.read("/etc/rc.conf")).toBe('sshd_enable="YES"\n');
    // Nothing filtered: rc.d/ipfw found firewall_enable back at its default, NO.
    expect(ipfw.stderr).not.toContain("All ip services are disabled");
    expect(check("192.0.2.10").stdout).not.toMatch(/deny/);
  });

  it("finishes at boot a restore cut after it claimed the arming (a crash or power loss mid-restore)", () => {
    const before = rules();
    const conf = host.read("/etc/rc.conf");
    expect(step("r1", "r1-0", 60, writeFw(fwScript("65000 deny ip from any to any"))).code).toBe(0);
    expect(host.sh("service ipfw restart").code).toBe(0);
    // The timer claimed the arming, then the host went down before anything was put back.
    host.sh(`mv ${file("armed.r1-0")} ${file("fired.r1-0")}`);
    reboot();
    const { hook, ipfw } = boot();
    expect(hook.stdout).toMatch(/rolled back at boot/);
    expect(ipfw.code).toBe(0);
    expect(host.read(FW)).toBe(fwScript(A));
    expect(host.read("/etc/rc.conf")).toBe(conf);
    expect(rules()).toBe(before);
    expect(existsSync(file("fired.r1-0"))).toBe(false);
  });

  it("leaves a confirmed change alone at boot", () => {
    expect(step("r1", "r1-0", 60, writeFw(fwScript("200 allow ip from any to any"))).code).toBe(0);
    expect(sh(confirmScript("r1-0")).stdout).toBe("confirmed\n");
    reboot();
    boot();
    expect(host.read(FW)).toBe(fwScript("200 allow ip from any to any"));
    expect(rules()).toContain("00200 allow ip from any to any");
  });
});

describe("an armed marker from an earlier boot", () => {
  it("is reported and removed by the next arming, never taken as the state to return to", () => {
    expect(host.sh(`kldload ipfw && ${load(A)}`).code).toBe(0);
    // Armed, never confirmed, and the timer gone with a reboot that never ran the boot hook.
    expect(step("r1", "r1-0", 60, load("300 deny ip from any to any")).code).toBe(0);
    reboot();
    rmSync(host.file(HOOK));
    expect(host.sh(`kldload ipfw && ${load("400 allow ip from any to any")}`).code).toBe(0);
    const now = rules();
    const r = step("r2", "r2-0", 60, load("500 deny ip from any to any"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("armed.r1-0: armed before the last boot");
    expect(existsSync(file("armed.r1-0"))).toBe(false);
    expect(readFileSync(file("stale.log"), "utf8")).toContain(
      "armed.r1-0: armed before the last boot",
    );
    // The rollback returns to the rules in force at this arming, not to those of the old one.
    expect(sh(rollbackNowScript("r2-0")).stdout).toMatch(/^rolled back /);
    expect(rules()).toBe(now);
  });

  it("is not applied by the boot hook unless it was armed in the boot just before", () => {
    host.write(FW, fwScript(A), 0o750);
    expect(step("r1", "r1-0", 60, writeFw(fwScript("65000 deny ip from any to any"))).code).toBe(0);
    // A marker of an older provision (no boot time), or one left from two boots ago.
    host.write(`${FIREWALL_DIR}/armed.old`, "");
    host.write(`${FIREWALL_DIR}/armed.older`, "{ sec = 1, usec = 0 } Thu Jan  1 00:00:01 1970\n");
    reboot();
    const { hook } = boot();
    expect(hook.stderr).toContain("armed.old: armed before the last boot");
    expect(hook.stderr).toContain("armed.older: armed before the last boot");
    expect(readdirSync(file("")).filter((n) => n.startsWith("armed."))).toEqual([]);
    // r1-0 was armed in the boot just before: restored.
    expect(host.read(FW)).toBe(fwScript(A));
  });
});

describe("rc.conf after a rollback", () => {
  it("has its firewall_* lines back verbatim, and only those that changed are rewritten", () => {
    const conf = [
      "# firewall",
      'firewall_enable="YES"',
      `firewall_type='/etc/ipfw $(touch ${host.file("/pwned")}).rules'`,
      'sshd_enable="YES"',
      'firewall_quiet="YES" # quiet',
      "",
    ].join("\n");
    host.write("/etc/rc.conf", conf);
    expect(host.sh(`kldload ipfw && ${load(A)}`).code).toBe(0);
    const r = step(
      "r1",
      "r1-0",
      60,
      "sysrc -x firewall_type && sysrc firewall_quiet=NO firewall_logging=YES",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(sh(rollbackNowScript("r1-0")).stdout).toMatch(/^rolled back /);
    // Each line as it was (a line put back after being removed comes last); the others untouched.
    const lines = host.read("/etc/rc.conf").split("\n");
    expect([...lines].sort()).toEqual(conf.split("\n").sort());
    expect(lines.slice(0, 2)).toEqual(["# firewall", 'firewall_enable="YES"']);
    // rc.conf is sourced by every rc.d script: what was a quoted word stays one.
    expect(host.sh("service ipfw status").stdout).toBe("ipfw is enabled\n");
    expect(existsSync(host.file("/pwned"))).toBe(false);
  });
});
