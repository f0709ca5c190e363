import { describe, expect, it } from "vitest";
import { sshPortLockout } from "../../src/guards/ssh-port-lockout.js";
import { facts } from "../helpers/facts.js";
import { host, planned } from "./common.js";

const fw = planned({ type: "service", name: "ipfw", firewall: true });
const on = (sshPort?: number) =>
  facts({
    os: {
      system: "FreeBSD",
      version: "14.3-RELEASE",
      sshClient: "5.6.8.9",
      ...(sshPort ? { sshPort } : {}),
    },
  });

describe("ssh-port-lockout", () => {
  it("refuses a firewall that would shut the port this connection uses, saying what to do", () => {
    const d = sshPortLockout.check(host(), on(2222), [fw], {});
    expect(d).toEqual([
      {
        severity: "error",
        summary:
          "matrix: this SSH connection uses port 2222 on the host, but the firewall opens SSH on port 22 only; applying it would lock provision out",
        detail:
          "Set firewall.ssh_port to 2222 in the inventory, or make sshd listen on 22 and connect on that port (ssh.port).",
      },
    ]);
  });
  it("passes when the firewall opens that port", () => {
    const h = host({ firewall: { ...host().config.firewall, ssh_port: 2222 } });
    expect(sshPortLockout.check(h, on(2222), [fw], {})).toEqual([]);
    expect(sshPortLockout.check(host(), on(22), [fw], {})).toEqual([]);
  });
  it("says nothing without a firewall change or without a known port (assume-fresh)", () => {
    expect(
      sshPortLockout.check(host(), on(2222), [planned({ type: "file", name: "/x" })], {}),
    ).toEqual([]);
    expect(sshPortLockout.check(host(), on(), [fw], {})).toEqual([]);
  });
});
