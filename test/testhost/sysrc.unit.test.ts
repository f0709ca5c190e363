// sysrc(8) of the test host against a temporary root. References: src:usr.sbin/sysrc/sysrc@
// 09711ccb09f4 and its atf tests src:usr.sbin/sysrc/tests/sysrc_test.sh@5ecc60fb07d1
// (set_variable, check_variable, remove_variable_x_flag, subtract_list, f_flag).
import { statSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
const sysrc = (...args: string[]) => host.run("/usr/sbin/sysrc", args);

beforeEach(() => {
  host = makeRoot();
  host.write("/etc/rc.conf", 'sshd_enable="YES"\n', 0o600);
});
afterEach(() => host.cleanup());

describe("sysrc(8)", () => {
  it("reads the defaults and rc.conf; an unknown variable is exit 1 with sysrc's message", () => {
    expect(sysrc("sshd_enable")).toEqual({ code: 0, stdout: "sshd_enable: YES\n", stderr: "" });
    expect(sysrc("-n", "ntpd_enable").stdout).toBe("NO\n");
    expect(sysrc("no_such_var")).toEqual({
      code: 1,
      stdout: "",
      stderr: "sysrc: unknown variable 'no_such_var'\n",
    });
  });
  it("sets with OLD -> NEW, appends new variables to /etc/rc.conf, keeps the file's mode", () => {
    expect(sysrc("ntpd_enable=YES").stdout).toBe("ntpd_enable: NO -> YES\n");
    expect(sysrc("fresh=x").stdout).toBe("fresh:  -> x\n");
    expect(host.read("/etc/rc.conf")).toBe('sshd_enable="YES"\nntpd_enable="YES"\nfresh="x"\n');
    expect(statSync(host.file("/etc/rc.conf")).mode & 0o777).toBe(0o600);
    expect(sysrc("-v", "fresh").stdout).toBe("/etc/rc.conf: fresh: x\n");
  });
  it("+= and -= edit word lists; -x deletes silently; -c answers by exit code", () => {
    expect(sysrc("list+=a").stdout).toBe("list:  -> a\n");
    expect(sysrc("list+=b").stdout).toBe("list: a -> a b\n");
    expect(sysrc("list-=a").stdout).toBe("list: a b -> b\n");
    expect(sysrc("-c", "list=b").code).toBe(0);
    expect(sysrc("-c", "list=c").code).toBe(1);
    expect(sysrc("-x", "list")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(sysrc("-x", "list").code).toBe(1);
  });
  it("-f edits another file; a name with shell-unsafe characters is refused", () => {
    expect(sysrc("-f", "/etc/rc.conf.d/demo", "demo_flags=-v").stdout).toBe("demo_flags:  -> -v\n");
    expect(host.read("/etc/rc.conf.d/demo")).toBe('demo_flags="-v"\n');
    expect(sysrc("bad-name=1")).toMatchObject({
      code: 1,
      stderr: "sysrc: bad-name: name contains characters not allowed in shell\n",
    });
  });
});
