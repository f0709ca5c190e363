import { describe, expect, it } from "vitest";
import { firewallLockout } from "../../src/guards/firewall-lockout.js";
import { facts } from "../helpers/facts.js";
import { host, planned } from "./common.js";

const fw = planned({ type: "file", name: "/etc/rc.firewall.matrix", firewall: true });
const other = planned({ type: "file", name: "/etc/resolv.conf" });
const from = (sshClient: string) =>
  facts({ os: { system: "FreeBSD", version: "14.3-RELEASE", sshClient } });

describe("firewall-lockout", () => {
  it("refuses a firewall change when this connection's address is not a management network", () => {
    expect(firewallLockout.check(host(), from("203.0.113.99"), [fw], {})).toEqual([
      {
        severity: "error",
        summary:
          "matrix: this SSH connection comes from 203.0.113.99, which is not in management_cidrs (5.6.8.9/32); the firewall would lock provision out",
        detail:
          "Add 203.0.113.99/32 (or its network) to management_cidrs, or connect from a listed network.",
      },
    ]);
  });
  it("lets it through from a listed network, or when the firewall does not change", () => {
    expect(firewallLockout.check(host(), from("5.6.8.9"), [fw], {})).toEqual([]);
    expect(
      firewallLockout.check(
        host({ management_cidrs: ["203.0.113.0/24"] }),
        from("203.0.113.99"),
        [fw],
        {},
      ),
    ).toEqual([]);
    expect(firewallLockout.check(host(), from("203.0.113.99"), [other], {})).toEqual([]);
  });
  it("knows a firewall change by the recipe's mark, not by its path", () => {
    const renamed = planned({ type: "file", name: "/etc/ipfw.rules", firewall: true });
    expect(firewallLockout.check(host(), from("203.0.113.99"), [renamed], {})).toHaveLength(1);
  });
});
