// The switch between local test hosts and a real FreeBSD target (test/helpers/target.ts).

import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../src/inventory/load.js";
import { inventoryForReal, realTarget, snapshotDiff } from "../helpers/target.js";

describe("PROVISION_E2E_TARGET", () => {
  const env = (target: string) => ({
    PROVISION_E2E_TARGET: target,
    PROVISION_E2E_KEY: "~/.ssh/id_ed25519",
    PROVISION_E2E_KNOWN_HOSTS: "/tmp/kh",
  });
  it("is absent by default: the local test hosts are used", () => {
    expect(realTarget({})).toBeUndefined();
  });
  it("parses user@address:port, IPv6 in brackets, and defaults to root and port 22", () => {
    expect(realTarget(env("admin@203.0.113.5:2222"))).toEqual({
      user: "admin",
      address: "203.0.113.5",
      port: 2222,
      key: `${homedir()}/.ssh/id_ed25519`,
      knownHosts: "/tmp/kh",
    });
    expect(realTarget(env("[2001:db8::5]:22"))).toMatchObject({
      user: "root",
      address: "2001:db8::5",
      port: 22,
    });
    expect(realTarget(env("bsd.example.org"))).toMatchObject({
      address: "bsd.example.org",
      port: 22,
    });
  });
  it("refuses a malformed target, and a target without key or known_hosts", () => {
    expect(() => realTarget(env("root@host:port"))).toThrow(/expected user@address\[:port\]/);
    expect(() => realTarget({ PROVISION_E2E_TARGET: "root@203.0.113.5" })).toThrow(
      /needs PROVISION_E2E_KEY .* and PROVISION_E2E_KNOWN_HOSTS/,
    );
  });
});

describe("what a run changed on a real host", () => {
  it("lists added and removed lines per section", () => {
    const before = "# packages\npkg-2.1.0\ncurl-8.9\n# users\nroot\n";
    const after = "# packages\npkg-2.1.0\ncurl-8.10\napache24-2.4.62\n# users\nroot\nsynapse\n";
    expect(snapshotDiff(before, after)).toEqual([
      "packages: - curl-8.9",
      "packages: + curl-8.10",
      "packages: + apache24-2.4.62",
      "users: + synapse",
    ]);
  });
});

describe("the inventory for a real host", () => {
  it("is the test hosts' inventory pointed at the host: valid, its key, its address, its ACME", () => {
    const dir = mkdtempSync(join(tmpdir(), "provision-real-inv-"));
    process.env.PROVISION_E2E_ACME_CA_BUNDLE = "/usr/local/etc/ssl/pebble.pem";
    process.env.PROVISION_E2E_SYNAPSE_INSTALL = "package";
    const text = inventoryForReal(
      { user: "root", address: "192.0.2.9", port: 2222, key: "/k/id", knownHosts: "/k/kh" },
      dir,
      "192.0.2.9",
      "198.51.100.7",
      "https://localhost:14000/dir",
    );
    delete process.env.PROVISION_E2E_ACME_CA_BUNDLE;
    delete process.env.PROVISION_E2E_SYNAPSE_INSTALL;
    writeFileSync(join(dir, "inventory.yaml"), text);
    const loaded = loadInventory(join(dir, "inventory.yaml"));
    expect(loaded.diagnostics).toEqual([]);
    const host = loaded.inventory?.hosts[0];
    expect(host?.config.ssh).toMatchObject({ address: "192.0.2.9", port: 2222, key: "/k/id" });
    expect(host?.config.management_cidrs).toEqual(["198.51.100.7/32"]);
    expect(host?.config.certificates.acme_ca_bundle).toBe("/usr/local/etc/ssl/pebble.pem");
    expect(host?.config.synapse.install).toBe("package");
  });
});
