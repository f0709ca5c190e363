// rc.subr(8) and service(8) of the test host against a temporary root. References:
// src:libexec/rc/rc.subr@0227451304a7 (run_rc_command: "cannot run", rc_usage for an extra
// command without its _cmd, the enable gate that lets stop through only while the service runs,
// su -m USER -c 'sh -c "..."' for NAME_user; load_rc_config reads rc.conf once per shell,
// `_rc_conf_loaded`), src:libexec/rc/rc@023fc80ee38a (read once before the first script, each
// script sourced in a subshell, ALRM rereads), src:usr.sbin/service/service.sh@023fc80ee38a,
// ports:www/apache24/files/apache24.in@135fdeebb99c (graceful needs a running httpd).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
const service = (...args: string[]) => host.run("/usr/sbin/service", args);

/** An rc.d script in the root's /usr/local/etc/rc.d whose command is a file under the root. */
function demo(extra = "", command = "/opt/demo/bin/demod"): void {
  host.write(
    "/usr/local/etc/rc.d/demo",
    [
      "#!/bin/sh",
      '. "$TESTHOST_ROOT/etc/rc.subr"',
      'name="demo"',
      'rcvar="demo_enable"',
      `command="${host.file(command)}"`,
      `pidfile="${host.file("/var/run/demo.pid")}"`,
      'extra_commands="configtest"',
      extra,
      "load_rc_config $name",
      'run_rc_command "$1"',
      "",
    ].join("\n"),
    0o755,
  );
}

beforeEach(() => {
  host = makeRoot();
});
afterEach(() => host.cleanup());

describe("service(8)", () => {
  it("reports a missing script on stdout with exit 1", () => {
    expect(service("nosuch", "start")).toEqual({
      code: 1,
      stdout:
        "nosuch does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable\n",
      stderr: "",
    });
  });
});

describe("rc.subr load_rc_config", () => {
  it("reads rc.conf once per shell: a script run by /etc/rc sees a change only after ALRM", () => {
    host.write("/etc/rc.conf", 'demo_enable="YES"\n');
    const rc = (trap: string) =>
      host.sh(
        [
          `. "$TESTHOST_ROOT/etc/rc.subr"`,
          "load_rc_config",
          trap,
          `( sysrc demo_enable=NO >/dev/null; ${trap ? "kill -ALRM $$" : ":"} )`,
          `( load_rc_config demo; echo "$demo_enable" )`,
        ].join("\n"),
      ).stdout;
    expect(rc("")).toBe("YES\n");
    expect(rc('trap "_rc_conf_loaded=false; load_rc_config" ALRM')).toBe("NO\n");
  });
});

describe("rc.subr run_rc_command", () => {
  it("start: a command that is not executable gives 'cannot run' and exit 1", () => {
    demo();
    host.write("/etc/rc.conf", 'demo_enable="YES"\n');
    host.write("/opt/demo/bin/demod", "#!/bin/sh\nexit 0\n", 0o644);
    const r = service("demo", "start");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `${host.file("/usr/local/etc/rc.d/demo")}: WARNING: run_rc_command: cannot run ${host.file("/opt/demo/bin/demod")}\n`,
    );
    expect(r.stdout).toBe("");
  });

  it("an extra command without its _cmd prints the usage and exits 1", () => {
    demo();
    host.write("/etc/rc.conf", 'demo_enable="YES"\n');
    const r = service("demo", "configtest");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Usage: .*\/demo \[fast\|force\|one\|quiet\]\(start\|stop\|.*\|configtest\|status\|poll\)\n$/,
    );
  });

  it("stop of a disabled service that is not running: Cannot 'stop', exit 0", () => {
    demo();
    host.write("/etc/rc.conf", 'demo_enable="NO"\n');
    expect(service("demo", "stop")).toEqual({
      code: 0,
      stdout:
        "Cannot 'stop' demo. Set demo_enable to YES in /etc/rc.conf or use 'onestop' instead of 'stop'.\n",
      stderr: "",
    });
    // Enabled but not running: rc.subr's own "not running?" with exit 1.
    host.write("/etc/rc.conf", 'demo_enable="YES"\n');
    expect(service("demo", "stop")).toMatchObject({
      code: 1,
      stderr: `demo not running? (check ${host.file("/var/run/demo.pid")}).\n`,
    });
  });

  it("an unknown directive prints its name and the usage, exit 1", () => {
    demo();
    const r = service("demo", "bogus");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/: unknown directive 'bogus'\.\nUsage: /);
  });

  it("NAME_user runs the command through su -m USER -c 'sh -c \"...\"'", () => {
    demo(`demo_user="nobody"\ncommand_args="${host.file("/out")}"`);
    host.write("/etc/rc.conf", 'demo_enable="YES"\n');
    host.write("/opt/demo/bin/demod", '#!/bin/sh\nid -un > "$1"\n', 0o755);
    host.sh(`chmod 777 "$TESTHOST_ROOT"`);
    const r = service("demo", "start");
    expect(r).toMatchObject({ code: 0, stdout: "Starting demo.\n" });
    expect(host.read("/out")).toBe("nobody\n");
    // The inner sh -c "...": an argument with a double quote breaks it, as on FreeBSD.
    demo(`demo_user="nobody"\ncommand_args='a"b'`);
    expect(service("demo", "start").code).toBe(1);
  });
});

describe("rc.d/apache24 (the port's script)", () => {
  it("graceful while Apache is stopped: 'not running?' and exit 1", () => {
    host.installRc("rc.d/apache24", "apache24");
    host.write("/etc/rc.conf", 'apache24_enable="YES"\n');
    const r = service("apache24", "graceful");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Performing sanity check on apache24 configuration:\n");
    expect(r.stdout).toContain("apache24 not running? (check /var/run/httpd.pid).\n");
    expect(r.stdout).not.toContain("Performing a graceful restart");
  });
});
