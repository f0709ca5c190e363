import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { factScript, parseFacts } from "../../src/facts/gather.js";
import { freshFacts } from "../../src/facts/types.js";
import { buildPlan, prepare } from "../../src/plan/build.js";
import { ROOT } from "../helpers/cli.js";
import { plain } from "../helpers/facts.js";
import { fixedSecrets, hostsFrom } from "../helpers/render.js";

const [host] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
if (!host) throw new Error("no host");

describe("plan building", () => {
  it("plans the whole homeserver on a fresh host, in recipe order, handlers folded into starts", () => {
    const { parts, request } = prepare(host, fixedSecrets());
    const plan = buildPlan(host, parts, freshFacts(request));
    const recipes = [...new Set(plan.changes.map((c) => c.recipe))];
    expect(recipes).toEqual([
      "base",
      "firewall",
      "postgres",
      "synapse",
      "coturn",
      "apache",
      "certificates",
    ]);
    const addrs = plan.changes.map((c) => c.address);
    expect(addrs.indexOf("service postgresql")).toBeLessThan(addrs.indexOf("pg_role synapse"));
    expect(addrs.indexOf("pip matrix-synapse==1.157.0")).toBeLessThan(
      addrs.indexOf("service synapse"),
    );
    // A service started by this plan is not also restarted by its handler.
    expect(plan.changes.filter((c) => c.address === "service synapse")).toHaveLength(1);
    expect(plan.changes[0]?.steps[0]).toMatchObject({
      script: "env ASSUME_ALWAYS_YES=yes pkg bootstrap -f",
    });
    expect(plan.diagnostics).toEqual([]);
  });

  it("refuses a firewall that would lock out the current SSH client", () => {
    const { parts, request } = prepare(host, fixedSecrets());
    const f = freshFacts(request);
    f.os.sshClient = "203.0.113.99";
    const plan = buildPlan(host, parts, f);
    expect(plan.diagnostics.map((d) => d.summary)).toContain(
      "matrix: this SSH connection comes from 203.0.113.99, which is not in management_cidrs (5.6.8.9/32); the firewall would lock provision out",
    );
  });

  it("refuses to swap PostgreSQL majors in apply: that is upgrade-postgres's job", () => {
    const { parts, request } = prepare(host, fixedSecrets());
    const f = freshFacts(request);
    f.packages.set("postgresql13-server", "13.23");
    const plan = buildPlan(host, parts, f);
    expect(plan.diagnostics.find((d) => d.severity === "error")).toMatchObject({
      summary:
        "matrix: PostgreSQL 13 is installed but the inventory asks for 17; apply does not swap majors (that would drop the cluster)",
      detail: "Move the data first: `provision upgrade-postgres --host matrix --to 17`.",
    });
  });
});

describe("planning is pure", () => {
  it("leaves the facts untouched, and the same inputs give the same plan", () => {
    const { parts, request } = prepare(host, fixedSecrets());
    const f = freshFacts(request);
    const before = JSON.stringify(plain(f));
    const first = buildPlan(host, parts, f);
    expect(JSON.stringify(plain(f))).toBe(before);
    expect(f.pkgReady).toBe(false);
    // The role's verifier (salt included) is the same on every plan: nothing random is drawn.
    expect(buildPlan(host, parts, f)).toEqual(first);
    expect(buildPlan(host, prepare(host, fixedSecrets()).parts, f)).toEqual(first);
  });

  it("bootstraps pkg in the first pkg change only, through the planning state", () => {
    const { parts, request } = prepare(host, fixedSecrets());
    const plan = buildPlan(host, parts, freshFacts(request));
    const boots = plan.changes.filter((c) =>
      c.steps.some((s) => s.kind === "exec" && s.script.includes("pkg bootstrap")),
    );
    expect(boots.map((c) => c.address)).toEqual(["pkg ca_root_nss curl"]);
  });
});

describe("guards in the plan", () => {
  it("marks the firewall recipe's changes, and refuses a firewall that shuts this connection's port", () => {
    const { parts, request } = prepare(host, fixedSecrets());
    const f = freshFacts(request);
    f.os.sshClient = "5.6.8.9";
    f.os.sshPort = 2222;
    const plan = buildPlan(host, parts, f);
    expect(plan.changes.filter((c) => c.firewall).map((c) => c.address)).toEqual([
      "file /etc/rc.firewall.matrix",
      "sysrc firewall_enable",
      "service ipfw",
    ]);
    expect(plan.diagnostics.map((d) => d.summary)).toEqual([
      "matrix: this SSH connection uses port 2222 on the host, but the firewall opens SSH on port 22 only; applying it would lock provision out",
    ]);
  });

  it("never re-owns a backup directory provision did not create (backup.dir: /)", () => {
    const h = { ...host, config: { ...host.config, backup: { ...host.config.backup, dir: "/" } } };
    const { parts, request } = prepare(h, fixedSecrets());
    const f = freshFacts(request);
    f.files.set("/", { type: "directory", mode: "0755", owner: "root", group: "wheel" });
    const plan = buildPlan(h, parts, f);
    expect(plan.diagnostics.filter((d) => d.severity === "error").map((d) => d.summary)).toEqual([
      "matrix: directory /: / already exists, owned by root:wheel, and provision did not create it; it will not re-own it to postgres:postgres",
    ]);
    // One provision created earlier is put right without complaint.
    f.createdDirs.add("/");
    expect(buildPlan(h, parts, f).diagnostics).toEqual([]);
  });

  it("asks the probe for what the guards need, in the same round trip", () => {
    const { request } = prepare(host, fixedSecrets());
    expect(request.createdDirs).toBe(true);
    expect(request.synapse).toEqual({
      config: "/usr/local/etc/matrix-synapse/homeserver.yaml",
      database: "synapse",
    });
    const script = factScript(request);
    expect(script).toContain("/var/db/provision/created-dirs");
    expect(script).toContain("awk '/^server_name:/");
  });
});

describe("facts", () => {
  it("asks everything in one script and parses its answer", () => {
    const { request } = prepare(host, fixedSecrets());
    const script = factScript(request);
    expect(script).toContain("pkg query '%n\t%v'");
    expect(script).toContain("openssl dgst -sha256 -r");
    expect(script).toContain("service synapse onestatus");
    const out = [
      "os\tsystem\tFreeBSD",
      "os\tversion\t14.3-RELEASE-p2",
      "os\tssh_client\t5.6.8.9",
      "pkg\tready\t1",
      "pkgq\tapache24\t2.4.65",
      "rc\tntpd_enable\tYES",
      "svc\tsynapse\t0",
      "svc\tturnserver\tmissing",
      "file\t/etc/resolv.conf\t-rw-r--r-- root wheel",
      `sha\t${"a".repeat(64)}\t/etc/resolv.conf`,
      "file\t/var/db/matrix-synapse\tdrwxr-x--- synapse synapse",
      "user\tsynapse:*:1001:1001::0:0:Synapse Daemon:/nonexistent:/usr/sbin/nologin",
      "group\tsynapse:*:1001:",
      "venv\t/usr/local/lib/matrix-synapse/venv",
      "dist\t/usr/local/lib/matrix-synapse/venv\tmatrix_synapse-1.157.0.dist-info",
      "pg\tup",
      "pgrole\tsynapse\tt\tSCRAM-SHA-256$4096:x$y:z",
      "pgdb\tsynapse\tsynapse\tUTF8\tC\tC",
    ].join("\n");
    const f = parseFacts(out, request);
    expect(f.os).toEqual({ system: "FreeBSD", version: "14.3-RELEASE-p2", sshClient: "5.6.8.9" });
    expect(f.packages.get("apache24")).toBe("2.4.65");
    expect(f.rc.get("ntpd_enable")).toBe("YES");
    expect(f.services.get("synapse")).toEqual({ installed: true, running: true });
    expect(f.services.get("turnserver")).toEqual({ installed: false, running: false });
    expect(f.files.get("/etc/resolv.conf")).toEqual({
      type: "file",
      mode: "0644",
      owner: "root",
      group: "wheel",
      sha256: "a".repeat(64),
    });
    expect(f.files.get("/var/db/matrix-synapse")).toMatchObject({
      type: "directory",
      mode: "0750",
    });
    expect(f.files.get("/etc/periodic.conf")).toBeNull();
    expect(f.users.get("synapse")).toEqual({
      uid: 1001,
      gid: 1001,
      home: "/nonexistent",
      shell: "/usr/sbin/nologin",
    });
    expect(f.venvs.get("/usr/local/lib/matrix-synapse/venv")?.get("matrix-synapse")).toBe(
      "1.157.0",
    );
    expect(f.postgres?.databases.get("synapse")).toEqual({
      owner: "synapse",
      encoding: "UTF8",
      collate: "C",
      ctype: "C",
    });
  });
});
