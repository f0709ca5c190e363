import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../src/inventory/load.js";
import { ROOT } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "provision-load-"));
function load(text: string) {
  const file = join(dir, `inv-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return loadInventory(file);
}

const BASE = `all:
  vars:
    admin_email: admin@example.org
    management_cidrs: [198.51.100.7/32]
`;

describe("inventory loading", () => {
  it("loads the example with the guide's values and documented defaults", () => {
    const r = loadInventory(join(ROOT, "inventory.example.yaml"));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const host = r.inventory?.hosts[0];
    expect(host?.name).toBe("matrix");
    const c = host?.config;
    expect(c?.server_name).toBe("matrix.ourdomain.com");
    expect(c?.public_hostname).toBe("matrix.ourdomain.com");
    expect(c?.ssh).toEqual({ address: "1.2.3.4", port: 22, user: "root", become: "none" });
    expect(c?.management_cidrs).toEqual(["5.6.8.9/32"]);
    expect(c?.turn.realm).toBe("matrix.ourdomain.com");
    expect(c?.turn.min_port).toBe(49152);
    expect(c?.certificates.contact_email).toBe("you@yourmaildomain.com");
    expect(c?.certificates.acme_directory).toBe("https://acme-v02.api.letsencrypt.org/directory");
    expect(c?.dns.search).toBe("ourdomain.com");
    expect(c?.synapse.email.notif_from).toBe("Matrix <noreply@matrix.ourdomain.com>");
    expect(c?.versions).toEqual({
      freebsd: "14.3",
      python: "3.11",
      postgresql: 17,
      synapse: "1.157.0",
    });
    expect(r.inventory?.secrets.file).toBe(join(ROOT, "inventory.example.secrets.age"));
  });

  it("merges vars Ansible's way: all < outer group < inner group < host; mappings merge, lists replace", () => {
    const r = load(`${BASE}    synapse: { registration: true, max_upload_size: 10M }
  children:
    eu:
      vars:
        synapse: { max_upload_size: 20M }
        management_cidrs: [192.0.2.0/24]
      children:
        berlin:
          vars:
            synapse: { url_previews: true }
          hosts:
            m1:
              server_name: m1.example.org
              public_ipv4: 203.0.113.1
              synapse: { registration: false }
    us:
      hosts:
        m2:
          server_name: m2.example.org
          public_ipv4: 203.0.113.2
`);
    expect(r.diagnostics).toEqual([]);
    const [m1, m2] = r.inventory?.hosts ?? [];
    expect(m1?.groups).toEqual(["all", "eu", "berlin"]);
    expect(m1?.config.synapse.registration).toBe(false);
    expect(m1?.config.synapse.max_upload_size).toBe("20M");
    expect(m1?.config.synapse.url_previews).toBe(true);
    expect(m1?.config.management_cidrs).toEqual(["192.0.2.0/24"]);
    expect(m2?.config.synapse.registration).toBe(true);
    expect(m2?.config.synapse.max_upload_size).toBe("10M");
    expect(m2?.config.management_cidrs).toEqual(["198.51.100.7/32"]);
  });

  it("reports a bad value in group vars once, where it is written, even for many hosts", () => {
    const r = load(`${BASE}    turn: { min_port: 2000, max_port: 4000 }
  hosts:
    a: { server_name: a.example.org, public_ipv4: 203.0.113.1 }
    b: { server_name: b.example.org, public_ipv4: 203.0.113.2 }
`);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.range?.start).toEqual({ line: 5, column: 23 });
    expect(errors[0]?.path).toBe("all.vars.turn.min_port");
  });

  it("accepts a host listed in two groups with vars in only one place", () => {
    const r = load(`${BASE}  children:
    a:
      hosts:
        m: { server_name: m.example.org, public_ipv4: 203.0.113.1 }
    b:
      hosts:
        m:
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory?.hosts.map((h) => h.groups)).toEqual([["all", "a", "b"]]);
  });

  it("refuses a host whose vars are given twice", () => {
    const r = load(`${BASE}  children:
    a:
      hosts:
        m: { server_name: m.example.org, public_ipv4: 203.0.113.1 }
    b:
      hosts:
        m: { public_ipv4: 203.0.113.2 }
`);
    expect(
      r.diagnostics.map((d) => `${d.range?.start.line}:${d.range?.start.column} ${d.summary}`),
    ).toEqual([
      "11:9 host 'm' has vars in two places (first at 8:9); give its vars once and list it elsewhere with an empty value",
    ]);
  });

  it("warns about a duplicate management network without failing", () => {
    const r = load(`all:
  vars:
    admin_email: admin@example.org
    management_cidrs: [198.51.100.7/32, 198.51.100.7]
  hosts:
    m: { server_name: m.example.org, public_ipv4: 203.0.113.1 }
`);
    expect(r.inventory).toBeDefined();
    expect(r.diagnostics.map((d) => d.severity)).toEqual(["warning"]);
  });

  it("allows IPv6 management networks when IPv6 is enabled with an address", () => {
    const r = load(`all:
  vars:
    admin_email: admin@example.org
    management_cidrs: [2001:db8:1::/48]
    firewall: { ipv6: true }
  hosts:
    m: { server_name: m.example.org, public_ipv4: 203.0.113.1, public_ipv6: "2001:db8::1" }
`);
    expect(r.diagnostics).toEqual([]);
  });
});

describe("defaults", () => {
  it("fills every documented default, including those beside a $ref", () => {
    const r = load(`${BASE}    synapse: { federation: false }
  hosts:
    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }
`);
    const c = r.inventory?.hosts[0]?.config;
    expect(c?.synapse.max_upload_size).toBe("50M");
    expect(c?.synapse.federation).toBe(false);
    expect(c?.synapse.federation_port).toBe(8448);
    expect(c?.turn.user_lifetime).toBe("1h");
    expect(c?.backup).toEqual({
      postgres_daily: true,
      vacuum_daily: true,
      dir: "/var/db/postgres/backups",
      keep_days: 7,
      scheduled: { enabled: false, schedule: "30 2 * * *", dir: "/var/backups/matrix", keep: 7 },
      offsite: { ssh_port: 22, keep: 30 },
    });
    expect(c?.synapse.email.smtp_password).toBeUndefined();
  });
});

describe("end-of-life PostgreSQL", () => {
  it("is a warning, not an error: existing hosts are described truthfully until upgraded", () => {
    // Synapse 1.142 is the last release that runs on PostgreSQL 13.
    const r = load(`${BASE}    versions: { postgresql: 13, synapse: "1.142.1" }
  hosts:
    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }
`);
    expect(r.inventory?.hosts[0]?.config.versions.postgresql).toBe(13);
    expect(r.diagnostics.map((d) => `${d.severity}: ${d.summary}`)).toEqual([
      "warning: PostgreSQL 13 reached end of life on 2025-11-13; move to one of 15, 16, 17, 18",
    ]);
  });
});

describe("the PostgreSQL the pinned Synapse needs", () => {
  const inventory = (versions: string) =>
    load(`${BASE}    versions: ${versions}
  hosts:
    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }
`);
  const errors = (r: ReturnType<typeof load>) =>
    r.diagnostics.filter((d) => d.severity === "error");

  it("refuses Synapse 1.143.0 or later on PostgreSQL 13, at versions.postgresql, saying what to do", () => {
    const r = inventory(`{ postgresql: 13, synapse: "1.143.0" }`);
    const [e, ...rest] = errors(r);
    expect(rest).toEqual([]);
    expect(e?.summary).toBe(
      "Synapse 1.143.0 needs PostgreSQL 14 or newer (Synapse 1.143.0 dropped PostgreSQL 13), got versions.postgresql 13",
    );
    expect(e?.path).toBe("all.vars.versions.postgresql");
    expect(e?.range?.start).toEqual({ line: 5, column: 29 });
    expect(e?.detail).toContain("choose versions.postgresql 14 or newer");
    expect(e?.detail).toContain("provision upgrade-postgres --host NAME --to 18");
    expect(e?.detail).toContain("keep versions.synapse below 1.143.0");
  });

  it("accepts the last release before it on 13, and any release on 14 or newer", () => {
    expect(errors(inventory(`{ postgresql: 13, synapse: "1.142.1" }`))).toEqual([]);
    expect(errors(inventory(`{ postgresql: 14, synapse: "1.143.0" }`))).toEqual([]);
    expect(errors(inventory(`{ postgresql: 15, synapse: "1.160.0" }`))).toEqual([]);
  });

  it("also holds when Synapse is left at its default (a release after 1.143.0)", () => {
    expect(errors(inventory("{ postgresql: 13 }")).map((d) => d.summary)).toEqual([
      "Synapse 1.157.0 needs PostgreSQL 14 or newer (Synapse 1.143.0 dropped PostgreSQL 13), got versions.postgresql 13",
    ]);
  });
});
