// ipfw(8), rc.d/ipfw, kldload/kldstat and sysctl of the test host against a temporary root.
// References: src:libexec/rc/rc.d/ipfw@2b1950d6e846 (required_modules="ipfw"; ipfw_poststart
// sets net.inet.ip.fw.enable=1 and, when `afexists inet6`, net.inet6.ip6.fw.enable=1; ipfw_stop
// sets both to 0; ipfw_status adds both up), src:sys/netpfil/ipfw/ip_fw_pfil.c@09f08dbe248e
// (fw_enable and fw6_enable are 1 when the module loads: IPv4 and IPv6 filtered from then on,
// each family by its own sysctl), src:libexec/rc/rc.subr@
// 0227451304a7 (load_kld for required_modules), src:sbin/ipfw/ipfw2.c (idx 449608273:
// "retrieving config failed" with EX_OSERR), freebsd-facts §13 (the module denies everything
// until rules are added, unless net.inet.ip.fw.default_to_accept=1).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TESTHOST_DIR } from "../../testhost/src/paths.js";
import { ROOT } from "../helpers/cli.js";
import { fileOf, hostsFrom, renderMap } from "../helpers/render.js";
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

  it("filters IPv6 as well: start enables both families, stop disables both, each has its own sysctl", () => {
    const sysctl = (...a: string[]) => host.run("/usr/sbin/sysctl", a);
    const ssh6 = () => ipfw("testhost-check", "tcp", "2001:db8:5::7", "22");
    host.write("/etc/rc.conf", 'firewall_enable="YES"\nfirewall_script="/etc/none"\n');
    expect(service("ipfw", "start").code).toBe(0);
    expect(sysctl("-n", "net.inet.ip.fw.enable", "net.inet6.ip6.fw.enable").stdout).toBe("1\n1\n");
    expect(ssh6()).toMatchObject({ code: 1, stdout: "deny 65535\n" });
    // Only the IPv4 switch off: IPv6 is still filtered by the default rule, and ipfw is enabled.
    sysctl("net.inet.ip.fw.enable=0");
    expect(ssh().code).toBe(0);
    expect(ssh6()).toMatchObject({ code: 1, stdout: "deny 65535\n" });
    expect(service("ipfw", "status")).toMatchObject({ code: 0, stdout: "ipfw is enabled\n" });
    expect(service("ipfw", "stop").code).toBe(0);
    expect(sysctl("-n", "net.inet.ip.fw.enable", "net.inet6.ip6.fw.enable").stdout).toBe("0\n0\n");
    expect(ssh6()).toMatchObject({ code: 0, stdout: "allow (no firewall)\n" });
    expect(service("ipfw", "status")).toMatchObject({ code: 1, stdout: "ipfw is not enabled\n" });
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

// ipfw(8), RULE FORMAT and RULE OPTIONS: rules are scanned in number order (rules with the same
// number in the order they were added) and the first whose body matches decides; the default
// rule 65535 matches every packet. `setup` matches TCP segments with SYN and without ACK (the
// first of a connection), `established` those with RST or ACK, `frag` only fragments after the
// first, `out`/`xmit` only outgoing packets, `via lo0`/`recv lo0` only the loopback interface. A
// `keep-state` rule matches by its body and then creates a dynamic rule; `ipfw flush` deletes the
// dynamic rules with their parents (net.inet.ip.fw.dyn_keep_states=0, ipfw(8) SYSCTL VARIABLES).
describe("rule evaluation", () => {
  const check = (...args: string[]) => ipfw("testhost-check", ...args);
  const load = (...rules: string[]) => {
    expect(host.run("/usr/sbin/kldload", ["ipfw"]).code).toBe(0);
    for (const r of rules) expect(ipfw("-q", "add", ...r.split(" ")).code, r).toBe(0);
  };

  it("the first matching rule decides, same-numbered rules in the order added; 65535 denies the rest", () => {
    load(
      "2000 deny tcp from 203.0.113.7 to me 22",
      "2000 allow tcp from 203.0.113.0/24 to me 22 setup",
      "1000 count tcp from any to me 22",
      "3000 allow tcp from any to me 22 setup",
    );
    expect(check("tcp", "203.0.113.7", "22")).toEqual({
      code: 1,
      stdout: "deny 02000\n",
      stderr: "",
    });
    expect(check("tcp", "203.0.113.8", "22")).toMatchObject({ code: 0, stdout: "allow 02000\n" });
    expect(check("tcp", "198.51.100.1", "22")).toMatchObject({ code: 0, stdout: "allow 03000\n" });
    expect(check("tcp", "198.51.100.1", "23")).toMatchObject({ code: 1, stdout: "deny 65535\n" });
  });

  it("setup matches a connection's first segment only, established the segments after it", () => {
    load(
      "100 allow ip from any to any via lo0",
      "200 allow ip from any to any frag",
      "300 allow tcp from any to any out",
      "310 allow tcp from any to any xmit em0",
      "320 allow tcp from any to any recv lo0",
      "1000 allow tcp from any to any established",
      "2000 allow tcp from 203.0.113.0/24 to me 22 setup",
      "4000 allow udp from any to me 3478 keep-state",
    );
    expect(check("tcp", "203.0.113.7", "22")).toMatchObject({ code: 0, stdout: "allow 02000\n" });
    expect(check("tcp", "203.0.113.7", "22", "established").stdout).toBe("allow 01000\n");
    // A new connection from elsewhere meets none of the allow rules: not lo0, not a fragment,
    // not outgoing (an incoming packet has no transmit interface), not established.
    expect(check("tcp", "198.51.100.1", "22")).toMatchObject({ code: 1, stdout: "deny 65535\n" });
    expect(check("udp", "198.51.100.1", "3478")).toMatchObject({
      code: 0,
      stdout: "allow 04000\n",
    });
    expect(check("udp", "198.51.100.1", "22")).toMatchObject({ code: 1, stdout: "deny 65535\n" });
    ipfw("-q", "delete", "1000");
    // Without the established rule, the packets of a connection already open are dropped too.
    expect(check("tcp", "198.51.100.1", "22", "established").stdout).toBe("deny 65535\n");
    expect(check("tcp", "203.0.113.7", "22", "established").stdout).toBe("deny 65535\n");
    expect(check("udp", "203.0.113.7", "22", "established")).toMatchObject({
      code: 64,
      stderr:
        "ipfw: usage: ipfw testhost-check tcp|udp SOURCE-ADDRESS PORT | tcp SOURCE-ADDRESS PORT established\n",
    });
  });

  it("provision's own rules: SSH from the management network only, the web and TURN from anywhere", () => {
    const [h] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
    if (!h) throw new Error("no host");
    const script = fileOf(renderMap(h), "/etc/rc.firewall.matrix");
    // The script as rc.d/ipfw runs it, through the emulated ipfw.
    host.write(
      "/etc/rc.firewall.matrix",
      script.replace('fwcmd="/sbin/ipfw -q"', 'fwcmd="ipfw -q"'),
    );
    host.write(
      "/etc/rc.conf",
      'firewall_enable="YES"\nfirewall_script="/etc/rc.firewall.matrix"\n',
    );
    expect(service("ipfw", "start")).toMatchObject({ code: 0 });
    expect(check("tcp", "5.6.8.9", "22")).toMatchObject({ code: 0, stdout: "allow 02000\n" });
    expect(check("tcp", "5.6.8.10", "22")).toMatchObject({ code: 1, stdout: "deny 65000\n" });
    expect(check("tcp", "5.6.8.10", "22", "established").stdout).toBe("allow 01000\n");
    expect(check("tcp", "198.51.100.1", "443").stdout).toBe("allow 03000\n");
    expect(check("udp", "198.51.100.1", "3478").stdout).toBe("allow 04000\n");
    expect(check("udp", "198.51.100.1", "50000").stdout).toBe("allow 04100\n");
    expect(check("udp", "198.51.100.1", "53").stdout).toBe("deny 65000\n");
    expect(check("tcp", "198.51.100.1", "5432").stdout).toBe("deny 65000\n");
  });
});

describe("sshd's gate (harness/ipfw-gate, pam_exec)", () => {
  const gate = (rhost: string) =>
    host.sh(`PAM_RHOST=${rhost} sh ${join(TESTHOST_DIR, "harness/ipfw-gate")}`);

  it("lets a new connection in only when the rules in force let its first segment through", () => {
    expect(gate("198.51.100.1").code).toBe(0);
    expect(host.run("/usr/sbin/kldload", ["ipfw"]).code).toBe(0);
    expect(gate("198.51.100.1").code).toBe(1);
    ipfw("-q", "add", "2000", "allow", "tcp", "from", "198.51.100.0/24", "to", "me", "22", "setup");
    expect(gate("198.51.100.1").code).toBe(0);
    expect(gate("203.0.113.7").code).toBe(1);
  });
});

describe("kern.boottime", () => {
  it("prints as FreeBSD's sysctl does, the same for the whole boot; another boot gives another", () => {
    const first = host.run("/usr/sbin/sysctl", ["-n", "kern.boottime"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^\{ sec = \d+, usec = \d+ \} \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/,
    );
    expect(host.run("/usr/sbin/sysctl", ["-n", "kern.boottime"]).stdout).toBe(first.stdout);
    expect(host.run("/usr/sbin/sysctl", ["kern.boottime=1"]).code).toBe(1);
    host.write("/var/db/testhost-boottime", "1795914015\n");
    expect(host.run("/usr/sbin/sysctl", ["-n", "kern.boottime"]).stdout).toMatch(
      /^\{ sec = 1795914015, usec = 0 \} /,
    );
  });
});
