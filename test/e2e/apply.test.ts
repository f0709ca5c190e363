// End to end: fresh test hosts -> apply -> converged, with certificates from a real ACME server;
// Synapse itself checked on them (./real-synapse.ts); drift repaired; a canary secret never
// shows; host keys, non-FreeBSD targets, failing steps and locks give their documented errors.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { inventoryWithStore } from "../helpers/secrets.js";
import {
  acmeReachable,
  type E2EHosts,
  e2eHosts,
  sh,
  suAs,
  testHostsOnly,
} from "../helpers/target.js";
import { describeRealSynapse } from "./real-synapse.js";

const CANARY = "canary-7d1f0c5e9b";
// Every apply issues a certificate: without an ACME server the hosts reach, nothing here runs.
const noAcme = acmeReachable().why;
if (noAcme) console.warn(`skipping the apply tests: ${noAcme}`);
let set: E2EHosts;
let inv: string;
let env: Record<string, string>;
const outputs: string[] = [];

function provision(args: string[]) {
  const r = cli([...args, "-i", inv], { env });
  outputs.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  if (noAcme) return;
  // Certificates come from the test network's ACME server (pebble); the hosts reach nothing else.
  // Debian's real Synapse: what apply converges is checked against Synapse itself.
  set = await e2eHosts(2, { synapse: "real" });
  ({ inv, env } = await inventoryWithStore(set, {
    turn_shared_secret: `${CANARY}-turn`,
    postgres_password: `${CANARY}-pg`,
    macaroon_secret_key: `${CANARY}-mac`,
  }));
});
afterAll(async () => set?.stop());

describe.skipIf(noAcme)("provision apply on fresh FreeBSD hosts", { timeout: 3_600_000 }, () => {
  it("converges every host (two test hosts in parallel), then plans no changes", () => {
    if (!set.real)
      expect(readFileSync(inv, "utf8")).toContain("acme_directory: https://pebble:14000/dir");
    const fresh = provision(["plan", "--no-color", "--host", "matrix1"]);
    expect(fresh.stdout).toContain("certificate matrix1.example.test: missing");
    expect(fresh.stdout).toContain(
      "+ certificate matrix1.example.test  issue with dehydrated (http-01)",
    );
    const apply = provision(["apply", "--yes"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const plan = provision(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(0);
    for (const h of set.hosts) {
      expect(apply.stdout).toContain(`Apply complete for ${h.name}:`);
      expect(plan.stdout).toContain(`No changes. ${h.name} matches the inventory.`);
    }
  });

  it("leaves PostgreSQL, Synapse, Apache and coturn running, Synapse answering", () => {
    for (const s of ["postgresql", "synapse", "apache24", "turnserver", "local_unbound", "ntpd"]) {
      expect(sh(set, 0, `service ${s} status`).code, s).toBe(0);
    }
    const versions = sh(set, 0, "curl -s http://127.0.0.1:8008/_matrix/client/versions");
    expect(JSON.parse(versions.stdout).versions).toContain("v1.11");
    expect(
      sh(
        set,
        0,
        "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: matrix1.example.test' http://127.0.0.1/_matrix/client/versions",
      ).stdout,
    ).toBe("301 https://matrix1.example.test/_matrix/client/versions");
    const db = sh(
      set,
      0,
      `su -l postgres -c "psql -XtA -d synapse -c 'select pg_encoding_to_char(encoding), datcollate, datctype from pg_database where datname = current_database()'"`,
    );
    expect(db.stdout).toBe("UTF8|C|C\n");
    expect(
      sh(
        set,
        0,
        "ls -l /usr/local/etc/matrix-synapse/homeserver.yaml | awk '{print $1, $3 \":\" $4}'",
      ).stdout,
    ).toBe("-rw-r----- root:synapse\n");
    // The test hosts' ipfw evaluates rules without filtering packets (testhost-check).
    if (set.real) return;
    // The firewall keeps the management network (where SSH comes from) able to reach port 22.
    expect(sh(set, 0, `ipfw testhost-check tcp ${set.hosts[0]?.gateway} 22`)).toMatchObject({
      code: 0,
    });
    expect(sh(set, 0, "ipfw testhost-check tcp 203.0.113.50 22")).toMatchObject({ code: 1 });
    expect(sh(set, 0, "ipfw testhost-check udp 203.0.113.50 50000")).toMatchObject({ code: 0 });
  });

  it("registers the first (admin) user with the shared secret, the password only on stdin", () => {
    const password = `${CANARY}-pw`;
    const r = cli(["register-user", "--host", "matrix1", "--user", "admin", "--admin", "-i", inv], {
      env,
      input: password,
    });
    outputs.push(r.stdout, r.stderr);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("matrix1: registered @admin:matrix1.example.test (server admin).\n");
    // Synapse's own users table: the account exists and is a server admin.
    expect(
      sh(set, 0, `su -l postgres -c "psql -XtA -d synapse -c 'select name, admin from users'"`)
        .stdout,
    ).toBe("@admin:matrix1.example.test|1\n");
    const again = cli(["register-user", "--host", "matrix1", "--user", "admin", "-i", inv], {
      env,
      input: password,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      "error: registration of admin on matrix1 failed: User ID already taken.",
    );
  });

  it("shows drift with the right symbols and diffs, and apply repairs it", () => {
    sh(
      set,
      0,
      "echo 'nameserver 192.0.2.53' >> /etc/resolv.conf; service ntpd stop; pkg delete -y dehydrated >/dev/null; sysrc ntpd_sync_on_start=NO >/dev/null",
    );
    const plan = provision(["plan", "--detailed-exitcode", "--host", "matrix1", "--no-color"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("~ file /etc/resolv.conf  content");
    expect(plan.stdout).toContain("      -nameserver 192.0.2.53");
    expect(plan.stdout).toContain('~ sysrc ntpd_sync_on_start  "NO" -> "YES"');
    expect(plan.stdout).toContain("~ service ntpd  start (not running)");
    expect(plan.stdout).toContain("+ pkg dehydrated  install dehydrated");
    expect(plan.stdout).toContain("Plan: 1 to add, 3 to change, 0 to destroy.");
    const json = provision(["plan", "--host", "matrix1", "--json"]);
    const events = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(
      events
        .filter((e) => e.type === "planned_change")
        .map((e) => [e.change.resource.addr, e.change.action]),
    ).toEqual([
      ["sysrc ntpd_sync_on_start", "update"],
      ["service ntpd", "update"],
      ["file /etc/resolv.conf", "update"],
      ["pkg dehydrated", "create"],
    ]);
    expect(events.at(-1)).toMatchObject({
      type: "change_summary",
      host: "matrix1",
      changes: { add: 1, change: 3, remove: 0 },
    });
    expect(provision(["apply", "--yes", "--host", "matrix1"]).code).toBe(0);
    expect(provision(["plan", "--detailed-exitcode", "--host", "matrix1"]).code).toBe(0);
    // The replaced file was kept.
    expect(sh(set, 0, "grep -l 192.0.2.53 /var/backups/provision/etc/resolv.conf.*").code).toBe(0);
  });

  it("never shows a secret in plan or apply output, human or JSON", () => {
    const last = set.hosts.length - 1;
    const name = set.hosts[last]?.name as string;
    sh(set, last, "echo '# drift' >> /usr/local/etc/matrix-synapse/homeserver.yaml");
    const plan = provision(["plan", "--host", name, "--no-color"]);
    expect(plan.stdout).toContain("~ file /usr/local/etc/matrix-synapse/homeserver.yaml  content");
    expect(plan.stdout).toContain("(holds secrets: values masked)");
    expect(plan.stdout).toContain("      -# drift");
    provision(["plan", "--host", name, "--json"]);
    provision(["apply", "--yes", "--host", name, "--json"]);
    expect(
      sh(set, last, `grep -c ${CANARY}-pg /usr/local/etc/matrix-synapse/homeserver.yaml`).stdout,
    ).toBe("1\n");
    for (const o of outputs) expect(o).not.toContain(CANARY);
  });
});

// The certificates of the converge above: a real ACME server (pebble) issued them during the
// first apply, its http-01 challenge fetched from Apache on the host.
describe.skipIf(noAcme)("certificates from a real ACME server", { timeout: 300_000 }, () => {
  const serial = () =>
    sh(
      set,
      0,
      "echo | openssl s_client -connect 127.0.0.1:443 -servername matrix1.example.test 2>/dev/null | openssl x509 -noout -serial -issuer -ext subjectAltName",
    ).stdout;

  it("Apache serves the issued certificate and proxies to Synapse; coturn serves it too", () => {
    const s = serial();
    // The name is in subjectAltName (newer pebble releases leave the subject empty).
    expect(s).toMatch(/DNS:matrix1\.example\.test\n/);
    expect(s).toMatch(/issuer=CN ?= ?Pebble Intermediate CA/);
    const versions = sh(
      set,
      0,
      "curl -s -k --resolve matrix1.example.test:443:127.0.0.1 https://matrix1.example.test/_matrix/client/versions",
    );
    expect(JSON.parse(versions.stdout).versions).toContain("v1.11");
    const fed = sh(
      set,
      0,
      "curl -s -k --resolve matrix1.example.test:8448:127.0.0.1 https://matrix1.example.test:8448/_matrix/federation/v1/version",
    );
    expect(JSON.parse(fed.stdout).server.name).toBe("Synapse");
    // coturn, started before the certificate existed, serves it on the TLS port without a
    // manual restart.
    const turnTls = sh(
      set,
      0,
      `for i in 1 2 3 4 5; do echo | openssl s_client -connect ${set.hosts[0]?.ip}:5349 -servername matrix1.example.test 2>/dev/null | openssl x509 -noout -ext subjectAltName && break; sleep 1; done`,
    );
    expect(turnTls.stdout).toMatch(/DNS:matrix1\.example\.test\n/);
    // The challenge was really fetched from Apache on port 80.
    expect(
      sh(
        set,
        0,
        "grep -c 'GET /.well-known/acme-challenge/' /var/log/httpd-access.log",
      ).stdout.trim(),
    ).not.toBe("0");
  });

  it("the plan shows until when the certificate is valid", () => {
    const plan = provision(["plan", "--detailed-exitcode", "--no-color", "--host", "matrix1"]);
    expect(plan.stdout).toMatch(/certificate matrix1\.example\.test: valid until \d{4}-\d\d-\d\d/);
    expect(plan.code).toBe(0);
  });

  it("renew-certs --force gets a new serial that Apache and coturn pick up", () => {
    const before = serial();
    const r = provision(["renew-certs", "--force", "--host", "matrix1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^matrix1: renewed and deployed: serial [0-9A-F]+, valid until /);
    const after = serial();
    expect(after.split("\n")[0]).not.toBe(before.split("\n")[0]);
    const newSerial = /serial=([0-9A-F]+)/.exec(after)?.[1];
    expect(r.stdout).toContain(`serial ${newSerial}`);
    expect(
      sh(
        set,
        0,
        "openssl x509 -in /usr/local/etc/coturn/certs/fullchain.pem -noout -serial",
      ).stdout.trim(),
    ).toBe(`serial=${newSerial}`);
  });

  it("keeps the private key readable by root and the service group only", () => {
    expect(
      sh(
        set,
        0,
        "ls -ld /usr/local/etc/coturn/certs/privkey.pem /usr/local/etc/coturn/certs | awk '{print $1, $3 \":\" $4}'",
      ).stdout,
    ).toBe("drwxr-x--- root:coturn\n-rw-r----- root:coturn\n");
    expect(
      sh(
        set,
        0,
        "ls -l $(readlink -f /usr/local/etc/dehydrated/certs/matrix1.example.test/privkey.pem) | awk '{print $1}'",
      ).stdout,
    ).toBe("-rw-------\n");
    expect(
      sh(set, 0, `${suAs(set, "nobody")} 'cat /usr/local/etc/coturn/certs/privkey.pem'`).code,
    ).not.toBe(0);
    expect(
      sh(set, 0, `${suAs(set, "coturn")} 'head -c 10 /usr/local/etc/coturn/certs/privkey.pem'`)
        .stdout,
    ).toBe("-----BEGIN");
  });
});

describe.skipIf(noAcme ?? testHostsOnly("a login user 'admin' with sudo"))(
  "privilege escalation",
  { timeout: 120_000 },
  () => {
    it("plans through sudo as an unprivileged login user, and fails clearly without it", () => {
      const text = readFileSync(inv, "utf8").replace(
        "      user: root\n",
        "      user: admin\n      become: sudo\n",
      );
      const sudoInv = join(set.dir, "sudo.yaml");
      writeFileSync(sudoInv, text);
      copyFileSync(join(set.dir, "inventory.secrets.age"), join(set.dir, "sudo.secrets.age"));
      const ok = cli(["plan", "--detailed-exitcode", "--host", "matrix1", "-i", sudoInv], { env });
      outputs.push(ok.stdout, ok.stderr);
      expect(ok.stdout).toContain("No changes. matrix1 matches the inventory.");
      expect(ok.code).toBe(0);
      // A firewall change that would shut out this connection is refused, also through sudo.
      const lockout = join(set.dir, "lockout.yaml");
      writeFileSync(
        lockout,
        text.replace(
          /management_cidrs:\n {6}- [0-9./]+\n/,
          "management_cidrs:\n      - 198.51.100.0/24\n",
        ),
      );
      copyFileSync(join(set.dir, "inventory.secrets.age"), join(set.dir, "lockout.secrets.age"));
      const refused = cli(["plan", "--host", "matrix1", "-i", lockout], { env });
      outputs.push(refused.stdout, refused.stderr);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(
        `matrix1: this SSH connection comes from ${set.hosts[0]?.gateway}, which is not in management_cidrs (198.51.100.0/24); the firewall would lock provision out`,
      );
      sh(set, 0, "mv /etc/sudoers.d/admin /root/sudoers-admin");
      const denied = cli(["plan", "--host", "matrix1", "-i", sudoInv], { env });
      sh(set, 0, "mv /root/sudoers-admin /etc/sudoers.d/admin");
      expect(denied.code).toBe(1);
      expect(denied.stdout).toContain("error: host matrix1: gathering facts failed");
      expect(denied.stdout).toContain(
        "Check that the login user can run commands as root (ssh.become).",
      );
    });
  },
);

describe.skipIf(noAcme ?? testHostsOnly("a second host to break"))(
  "errors",
  { timeout: 120_000 },
  () => {
    it("refuses an unknown host key unless --accept-new-host-key, and a changed one always", () => {
      const kh = join(set.dir, "known_hosts");
      const saved = readFileSync(kh, "utf8");
      writeFileSync(kh, "");
      const unknown = provision(["plan", "--host", "matrix1"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stdout).toMatch(
        /error: host matrix1 \(127\.0\.0\.1:\d+\) is not in .*known_hosts: its ssh-ed25519 key SHA256:[A-Za-z0-9+/]{43} is unknown/,
      );
      expect(provision(["plan", "--host", "matrix1", "--accept-new-host-key"]).code).toBe(0);
      expect(readFileSync(kh, "utf8")).toBe(`${saved.split("\n")[0]}\n`);
      const other = saved.split("\n")[1]?.split(" ").slice(1).join(" ");
      writeFileSync(kh, `[127.0.0.1]:${set.hosts[0]?.port} ${other}\n`);
      const changed = provision(["plan", "--host", "matrix1", "--accept-new-host-key"]);
      expect(changed.code).toBe(1);
      expect(changed.stdout).toContain("HOST KEY CHANGED for matrix1");
      copyFileSync(join(set.dir, "known_hosts"), join(set.dir, "known_hosts.bad"));
      writeFileSync(kh, saved);
    });

    it("refuses a target that is not FreeBSD, touching nothing", () => {
      sh(
        set,
        1,
        "mv /usr/bin/uname /usr/bin/uname.freebsd && ln -s /usr/bin/uname.linux /usr/bin/uname",
      );
      const r = provision(["apply", "--yes", "--host", "matrix2"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        "error: host matrix2 runs Linux, not FreeBSD: refusing to touch it",
      );
      expect(r.stderr).toContain("Nothing was applied");
      sh(set, 1, "mv -f /usr/bin/uname.freebsd /usr/bin/uname");
    });

    it("renew-certs and register-user refuse a target that is not FreeBSD too", () => {
      sh(
        set,
        1,
        "mv /usr/bin/uname /usr/bin/uname.freebsd && ln -s /usr/bin/uname.linux /usr/bin/uname",
      );
      const refusal = "error: host matrix2 runs Linux, not FreeBSD: refusing to touch it";
      const renew = provision(["renew-certs", "--host", "matrix2", "--force"]);
      const register = cli(["register-user", "--host", "matrix2", "--user", "bob", "-i", inv], {
        env,
        input: `${CANARY}-pw2`,
      });
      outputs.push(register.stdout, register.stderr);
      sh(set, 1, "mv -f /usr/bin/uname.freebsd /usr/bin/uname");
      for (const r of [renew, register]) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(refusal);
        expect(r.stdout).toBe("");
      }
    });

    it("refuses a second concurrent apply through the host lock", () => {
      sh(
        set,
        1,
        "echo drift >> /etc/periodic.conf; rm -f /var/run/provision.lock; mkdir /var/run/provision.lock && echo 'someone@elsewhere' > /var/run/provision.lock/owner",
      );
      const r = provision(["apply", "--yes", "--host", "matrix2"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        "error: host matrix2 has a lock left by an older provision (someone@elsewhere)",
      );
      sh(set, 1, "rm -rf /var/run/provision.lock");
    });

    it("stops at a failing step with what failed, its stderr and what to do", () => {
      // pkg answers queries but cannot install: as with an unreachable repository.
      const broken =
        '#!/bin/sh\ncase "$1" in install) echo "pkg: repository unreachable" >&2; exit 3 ;; esac\nexec /usr/local/sbin/pkg.ok "$@"\n';
      sh(
        set,
        1,
        "pkg delete -y dehydrated >/dev/null && mv /usr/local/sbin/pkg /usr/local/sbin/pkg.ok && cat > /usr/local/sbin/pkg && chmod +x /usr/local/sbin/pkg",
        broken,
      );
      const r = provision(["apply", "--yes", "--host", "matrix2", "--no-color"]);
      sh(set, 1, "mv -f /usr/local/sbin/pkg.ok /usr/local/sbin/pkg");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        "Apply failed on matrix2 at pkg dehydrated: $ env ASSUME_ALWAYS_YES=yes pkg install -y dehydrated (exit 3)",
      );
      expect(r.stderr).toContain("  pkg: repository unreachable");
      expect(r.stderr).toContain("run `provision apply` again");
      expect(sh(set, 1, "test -d /var/run/provision.lock").code).toBe(1);
    });

    it("explains an unreachable ACME server", () => {
      const bad = join(set.dir, "badacme.yaml");
      writeFileSync(
        bad,
        readFileSync(inv, "utf8").replace("https://pebble:14000/dir", "https://pebble:14001/dir"),
      );
      copyFileSync(join(set.dir, "inventory.secrets.age"), join(set.dir, "badacme.secrets.age"));
      const r = cli(["apply", "--yes", "--host", "matrix2", "--no-color", "-i", bad], { env });
      outputs.push(r.stdout, r.stderr);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Apply failed on matrix2 at command register the ACME account");
      expect(r.stderr).toContain(
        "dehydrated cannot reach the ACME directory: check certificates.acme_directory",
      );
    });
  },
);

// Last, as its startup checks leave databases of their own behind: Synapse itself on the hosts,
// which its first apply brings back to the inventory (federation on), whatever the tests above left.
describeRealSynapse(noAcme ?? testHostsOnly("Debian's real Synapse of the test hosts"), () => {
  if (!set.local) throw new Error("no local test hosts");
  return { set: set.local, inv, env };
});
