// ipfw(8), rc.d/ipfw, kldload/kldstat and sysctl of the test host against a temporary root.
// References: src:libexec/rc/rc.d/ipfw@2b1950d6e846 (required_modules="ipfw", poststart sets
// net.inet.ip.fw.enable=1, stop sets it to 0, status reads it), src:libexec/rc/rc.subr@
// 0227451304a7 (load_kld for required_modules), src:sbin/ipfw/ipfw2.c (idx 449608273:
// "retrieving config failed" with EX_OSERR), freebsd-facts §13 (the module denies everything
// until rules are added, unless net.inet.ip.fw.default_to_accept=1).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
const ipfw = (...args: string[]) => host.run("/usr/sbin/ipfw", args);
const service = (...args: string[]) => host.run("/usr/sbin/service", args);
const ssh = () => ipfw("testhost-check", "tcp", "203.0.113.7", "22");

beforeEach(() => {
  host = makeRoot();
  host.installRc("/etc/rc.d/ipfw", "ipfw", "/etc/rc.d");
});
afterEach(() => host.cleanup());

describe("ipfw without its module", () => {
  it("fails as ipfw2.c does, and filters nothing", () => {
    expect(ipfw("list")).toEqual({
      code: 71,
      stdout: "",
      stderr: "ipfw: retrieving config failed: Protocol not available\n",
    });
    expect(ipfw("-q", "add", "100", "allow", "ip", "from", "any", "to", "any").code).toBe(69);
    expect(ssh()).toMatchObject({ code: 0, stdout: "allow (no firewall)\n" });
    expect(host.run("/usr/sbin/sysctl", ["net.inet.ip.fw.enable"])).toMatchObject({
      code: 1,
      stderr: "sysctl: unknown oid 'net.inet.ip.fw.enable'\n",
    });
    expect(service("ipfw", "status")).toMatchObject({ code: 1, stdout: "ipfw is not enabled\n" });
  });
});

describe("rc.d/ipfw", () => {
  it("loads the module on first start: every new connection is denied until the script's rules are in", () => {
    // The firewall script records what a new SSH connection meets at its start, after its flush.
    host.write(
      "/etc/ipfw.rules",
      [
        'ipfw testhost-check tcp 203.0.113.7 22 > "$TESTHOST_ROOT/window" || true',
        "ipfw -q -f flush",
        "ipfw -q add 100 allow tcp from 203.0.113.0/24 to me 22 setup keep-state",
        "",
      ].join("\n"),
    );
    host.write("/etc/rc.conf", `firewall_enable="YES"\nfirewall_script="/etc/ipfw.rules"\n`);
    const r = service("ipfw", "start");
    expect(r).toMatchObject({ code: 0, stdout: "Firewall rules loaded.\n" });
    expect(host.read("/window")).toBe("deny 65535\n");
    expect(ssh()).toMatchObject({ code: 0, stdout: "allow 00100\n" });
    expect(ipfw("testhost-check", "tcp", "198.51.100.1", "22")).toMatchObject({
      code: 1,
      stdout: "deny 65535\n",
    });
    expect(host.run("/usr/sbin/kldstat", ["-q", "-m", "ipfw"]).code).toBe(0);
    expect(service("ipfw", "status")).toMatchObject({ code: 0, stdout: "ipfw is enabled\n" });
  });

  it("stop disables filtering and keeps the rules; status follows net.inet.ip.fw.enable", () => {
    host.write("/etc/rc.conf", 'firewall_enable="YES"\nfirewall_script="/etc/none"\n');
    const r = service("ipfw", "start");
    // No script: the kernel's default rule alone, as rc.d/ipfw warns.
    expect(r.stdout).toContain("All ip services are disabled.");
    expect(ssh().code).toBe(1);
    expect(service("ipfw", "stop")).toMatchObject({ code: 0 });
    expect(service("ipfw", "status")).toMatchObject({ code: 1, stdout: "ipfw is not enabled\n" });
    expect(ssh().code).toBe(0);
    expect(ipfw("list")).toMatchObject({ code: 0, stdout: "65535 deny ip from any to any\n" });
    expect(host.run("/usr/sbin/sysctl", ["net.inet.ip.fw.enable=1"]).stdout).toBe(
      "net.inet.ip.fw.enable: 0 -> 1\n",
    );
    expect(service("ipfw", "status").code).toBe(0);
  });

  it("default_to_accept=1 lets connections through while no rule is loaded", () => {
    expect(host.run("/usr/sbin/kldload", ["ipfw"]).code).toBe(0);
    expect(host.run("/usr/sbin/kldload", ["ipfw"])).toMatchObject({
      code: 1,
      stderr: "kldload: can't load ipfw: module already loaded or in kernel\n",
    });
    expect(ssh().code).toBe(1);
    host.run("/usr/sbin/sysctl", ["net.inet.ip.fw.default_to_accept=1"]);
    expect(ssh()).toMatchObject({ code: 0, stdout: "allow 65535\n" });
  });
});
