// Certificates end to end: a real ACME server (pebble) issues during a fresh apply, the http-01
// challenge fetched from Apache on the test host; HTTPS then proxies to Synapse; renewal works.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { acmeReachable, type E2EHosts, e2eHosts, sh, suAs } from "../helpers/target.js";

const acme = acmeReachable();
if (!acme.reachable) console.warn(`skipping the certificate tests: ${acme.why}`);

let set: E2EHosts;
let inv: string;
let env: Record<string, string>;
const run = (args: string[]) => cli([...args, "-i", inv], { env });
const serial = () =>
  sh(
    set,
    0,
    "echo | openssl s_client -connect 127.0.0.1:443 -servername matrix1.example.test 2>/dev/null | openssl x509 -noout -serial -issuer -ext subjectAltName",
  ).stdout;

describe.skipIf(!acme.reachable)(
  "certificates from a real ACME server",
  { timeout: 300_000 },
  () => {
    beforeAll(async () => {
      // Debian's real Synapse behind Apache's TLS (docs/testing.md).
      set = await e2eHosts(1, { synapse: "real" });
      inv = join(set.dir, "inventory.yaml");
      if (!set.real)
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
      // The name is in subjectAltName (newer pebble releases leave the subject empty).
      expect(s).toMatch(/DNS:matrix1\.example\.test\n/);
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

    it("a second apply changes nothing; the plan shows until when the certificate is valid", () => {
      const plan = run(["plan", "--detailed-exitcode", "--no-color"]);
      expect(plan.stdout).toMatch(
        /certificate matrix1\.example\.test: valid until \d{4}-\d\d-\d\d/,
      );
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
  },
);
