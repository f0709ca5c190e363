// Certificates end to end: a real ACME server (pebble) issues during a fresh apply, the http-01
// challenge fetched from Apache on the test host; HTTPS then proxies to Synapse; renewal works.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { cli } from "../helpers/cli.js";
import { sh, testHosts } from "../helpers/testhost.js";

let set: HostSet & { stop: () => Promise<void> };
let inv: string;
let env: Record<string, string>;
const run = (args: string[]) => cli([...args, "-i", inv], { env });
const serial = () =>
  sh(
    set,
    0,
    "echo | openssl s_client -connect 127.0.0.1:443 -servername matrix1.example.test 2>/dev/null | openssl x509 -noout -serial -subject -issuer",
  ).stdout;

describe("certificates from a real ACME server", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    set = await testHosts(1);
    inv = join(set.dir, "inventory.yaml");
    expect(readFileSync(inv, "utf8")).toContain("acme_directory: https://pebble:14000/dir");
    env = { PROVISION_AGE_IDENTITY_FILE: join(set.dir, "age.txt") };
    expect(run(["secrets", "init"]).code).toBe(0);
  }, 300_000);
  afterAll(async () => set?.stop());

  it("issues the certificate during the first apply; Apache serves it and proxies to Synapse", () => {
    const plan = run(["plan", "--no-color"]);
    expect(plan.stdout).toContain("certificate matrix1.example.test: missing");
    expect(plan.stdout).toContain(
      "+ certificate matrix1.example.test  issue with dehydrated (http-01)",
    );
    const apply = run(["apply", "--yes"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const s = serial();
    expect(s).toMatch(/subject=CN ?= ?matrix1\.example\.test/);
    expect(s).toMatch(/issuer=CN ?= ?Pebble Intermediate CA/);
    const versions = sh(
      set,
      0,
      "curl -s --cacert /dev/null -k --resolve matrix1.example.test:443:127.0.0.1 https://matrix1.example.test/_matrix/client/versions",
    );
    expect(JSON.parse(versions.stdout).versions).toContain("v1.11");
    const fed = sh(
      set,
      0,
      "curl -s -k --resolve matrix1.example.test:8448:127.0.0.1 https://matrix1.example.test:8448/_matrix/federation/v1/version",
    );
    expect(JSON.parse(fed.stdout).server.name).toBe("Synapse");
    // The challenge was really fetched from Apache on port 80.
    expect(
      sh(
        set,
        0,
        "grep -c 'GET /.well-known/acme-challenge/' /var/log/httpd-access.log",
      ).stdout.trim(),
    ).not.toBe("0");
  });

  it("a second apply changes nothing; the plan shows until when the certificate is valid", () => {
    const plan = run(["plan", "--detailed-exitcode", "--no-color"]);
    expect(plan.stdout).toMatch(/certificate matrix1\.example\.test: valid until \d{4}-\d\d-\d\d/);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  });

  it("renew-certs --force gets a new serial that Apache and coturn pick up", () => {
    const before = serial();
    const r = run(["renew-certs", "--force"]);
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
        "stat -c '%U:%G %a' /usr/local/etc/coturn/certs/privkey.pem /usr/local/etc/coturn/certs",
      ).stdout,
    ).toBe("root:coturn 640\nroot:coturn 750\n");
    expect(
      sh(
        set,
        0,
        "stat -c '%a' $(readlink -f /usr/local/etc/dehydrated/certs/matrix1.example.test/privkey.pem)",
      ).stdout,
    ).toBe("600\n");
    expect(
      sh(set, 0, "su -m -s /bin/sh nobody -c 'cat /usr/local/etc/coturn/certs/privkey.pem'").code,
    ).not.toBe(0);
    expect(
      sh(set, 0, "su -m -s /bin/sh coturn -c 'head -c 10 /usr/local/etc/coturn/certs/privkey.pem'")
        .stdout,
    ).toBe("-----BEGIN");
  });
});
