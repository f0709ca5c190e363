// End to end: what the inventory turns off goes away (coturn stopped and disabled, its config
// moved to the backup directory, its firewall rules and homeserver.yaml's TURN settings gone),
// and the plan is clean afterwards; Synapse upgrades into a new release virtualenv after a
// database dump, a release that does not come up is rolled back, a downgrade is refused.
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { cli } from "../helpers/cli.js";
import { inventoryWithStore } from "../helpers/secrets.js";
import { acmeReachable, type E2EHosts, e2eHosts, sh } from "../helpers/target.js";

const noAcme = acmeReachable().why;
if (noAcme) console.warn(`skipping the lifecycle tests: ${noAcme}`);
let set: E2EHosts;
let inv: string;
let env: Record<string, string>;

function provision(args: string[]) {
  return cli([...args, "-i", inv], { env });
}

/** Sets all.vars.PATH in the test inventory. */
function setVar(path: string[], value: unknown) {
  const doc = parseDocument(readFileSync(inv, "utf8"));
  doc.setIn(["all", "vars", ...path], value);
  writeFileSync(inv, doc.toString());
}

beforeAll(async () => {
  if (noAcme) return;
  set = await e2eHosts(1);
  ({ inv, env } = await inventoryWithStore(set));
  // Not the default client's major (17): the update test below needs a server that a package
  // depending on postgresql17-client would remove.
  setVar(["versions", "postgresql"], 15);
  setVar(["versions", "synapse"], "1.156.0");
});

const BASE = "/usr/local/lib/matrix-synapse";
const health = () => sh(set, 0, "curl -fsS http://127.0.0.1:8008/health").stdout;
afterAll(async () => set?.stop());

describe.skipIf(noAcme)("removal is part of declarative", { timeout: 1_800_000 }, () => {
  it("converges with TURN on", () => {
    const apply = provision(["apply", "--yes"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(sh(set, 0, "service turnserver status").code).toBe(0);
    expect(sh(set, 0, `readlink ${BASE}/venv`).stdout).toBe("venv-1.156.0-py3.11\n");
  });

  it("turn.enabled false: plan shows the removals and that data stays", () => {
    setVar(["turn", "enabled"], false);
    const plan = provision(["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/- service turnserver/);
    expect(plan.stdout).toMatch(/- file \/usr\/local\/etc\/turnserver\.conf/);
    expect(plan.stdout).toContain("2 to destroy");
    expect(plan.stdout).toContain("databases, media, signing keys, packages");
  });

  it("apply stops and disables coturn, moves its config away, drops its rules and settings", () => {
    const apply = provision(["apply", "--yes"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(sh(set, 0, "service turnserver onestatus").code).not.toBe(0);
    expect(sh(set, 0, "sysrc -n turnserver_enable").stdout).toBe("NO\n");
    expect(sh(set, 0, "test -e /usr/local/etc/turnserver.conf").code).toBe(1);
    // Kept, as a replaced file is: root's backup directory.
    expect(
      sh(set, 0, "ls /var/backups/provision/usr/local/etc/ | grep -c '^turnserver.conf\\.'").stdout,
    ).toBe("1\n");
    expect(sh(set, 0, "grep -c turn_ /usr/local/etc/matrix-synapse/homeserver.yaml").stdout).toBe(
      "0\n",
    );
    expect(sh(set, 0, "grep -c 'to me 3478' /etc/rc.firewall.matrix").stdout).toBe("0\n");
    // The package and Synapse stay.
    expect(sh(set, 0, "pkg info -e coturn").code).toBe(0);
    expect(sh(set, 0, "service synapse status").code).toBe(0);
    const plan = provision(["plan", "--detailed-exitcode"]);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  });
});

describe.skipIf(noAcme)(
  "Synapse upgrades without stranding the server",
  { timeout: 1_800_000 },
  () => {
    it("plans 1.156.0 -> 1.157.0 with the upgrade notes, then upgrades after a dump", () => {
      setVar(["versions", "synapse"], "1.157.0");
      const plan = provision(["plan"]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain("1.156.0 -> 1.157.0");
      expect(plan.stdout).toContain("https://element-hq.github.io/synapse/latest/upgrade.html");
      const apply = provision(["apply", "--yes"]);
      expect(apply.stderr).toBe("");
      expect(apply.code).toBe(0);
      expect(sh(set, 0, `readlink ${BASE}/venv`).stdout).toBe("venv-1.157.0-py3.11\n");
      expect(sh(set, 0, `test -d ${BASE}/venv-1.156.0-py3.11`).code).toBe(0); // kept
      expect(health()).toBe("OK");
      expect(sh(set, 0, "stat -c '%U %a' /var/backups/provision/synapse-dumps").stdout).toBe(
        "root 700\n",
      );
      expect(
        sh(
          set,
          0,
          "ls /var/backups/provision/synapse-dumps | grep -c '^synapse-1.156.0-.*\\.dump$'",
        ).stdout,
      ).toBe("1\n");
      expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
    });

    it("refuses a downgrade below the running release unless --allow-downgrade", () => {
      setVar(["versions", "synapse"], "1.156.0");
      const plan = provision(["plan"]);
      expect(plan.code).toBe(1);
      expect(plan.stdout + plan.stderr).toContain(
        "Synapse 1.157.0 is installed and the inventory asks for 1.156.0",
      );
      const apply = provision(["apply", "--yes"]);
      expect(apply.code).toBe(1);
      expect(sh(set, 0, `readlink ${BASE}/venv`).stdout).toBe("venv-1.157.0-py3.11\n");
      expect(provision(["plan", "--allow-downgrade"]).code).toBe(0);
    });

    it("a release that does not come up is switched back, and the old one serves", () => {
      // A complete-looking 1.158.0 release whose Synapse exits at start.
      const broken = `${BASE}/venv-1.158.0-py3.11`;
      // lib/pythonX.Y: the interpreter's own version (the test host's python3 stands for 3.11).
      const made = sh(
        set,
        0,
        [
          `cp -a ${BASE}/venv-1.157.0-py3.11 ${broken}`,
          `site=$(echo ${broken}/lib/python3.*/site-packages) && [ -d "$site" ]`,
          `mv "$site/matrix_synapse-1.157.0.dist-info" "$site/matrix_synapse-1.158.0.dist-info"`,
          `printf 'raise SystemExit("broken on purpose")\\n' > "$site/synapse/app/homeserver.py"`,
        ].join(" && "),
      );
      expect(made).toMatchObject({ code: 0, stderr: "" });
      setVar(["versions", "synapse"], "1.158.0");
      const apply = provision(["apply", "--yes"]);
      expect(apply.code).toBe(1);
      expect(apply.stdout + apply.stderr).toContain(
        "switched back to venv-1.157.0-py3.11 and restarted it",
      );
      expect(sh(set, 0, `readlink ${BASE}/venv`).stdout).toBe("venv-1.157.0-py3.11\n");
      expect(health()).toBe("OK");
      setVar(["versions", "synapse"], "1.157.0");
      expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
    });
  },
);

/** The repository moves on: the catalogue offers these versions (testhost/packages). */
function offer(upgrades: Record<string, { version: string; deps?: string[] }>) {
  const script = `import json, sys
p = "/usr/local/libexec/testhost/packages/catalog.json"
c = json.load(open(p))
for k in c["packages"]:
    c["packages"][k].pop("upgrade", None)
for k, u in json.loads(sys.argv[1]).items():
    c["packages"][k]["upgrade"] = u
json.dump(c, open(p, "w"))`;
  const r = sh(set, 0, `python3 -c '${script}' '${JSON.stringify(upgrades)}'`);
  expect(r.stderr).toBe("");
}

describe.skipIf(noAcme)("provision update", { timeout: 1_800_000 }, () => {
  const name = () => set.hosts[0]?.name as string;

  it("refuses a pkg upgrade that would swap PostgreSQL, changing nothing", () => {
    offer({ coturn: { version: "4.7.0", deps: ["postgresql17-client"] } });
    const r = provision(["update", "--host", name(), "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("refused: it would remove postgresql15-server");
    expect(r.stderr).toContain("the package upgrade is refused; nothing was changed");
    expect(sh(set, 0, "pkg query %v postgresql15-server").stdout).toBe("15.18\n");
    expect(sh(set, 0, "pkg query %v coturn").stdout).not.toBe("4.7.0\n");
  });

  it("applies a normal one and a patch release after a boot environment, restarting Synapse", () => {
    offer({ curl: { version: "8.15.0" }, python311: { version: "3.11.14" } });
    sh(set, 0, "touch /etc/testhost-zfs-root");
    sh(
      set,
      0,
      "mkdir -p /var/db/freebsd-update && echo 14.3-RELEASE-p3 > /var/db/freebsd-update/testhost-available",
    );
    const before = sh(set, 0, "cat /var/run/matrix-synapse/homeserver.pid").stdout;
    const r = provision(["update", "--host", name(), "--yes"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("~ curl 8.14.1 -> 8.15.0");
    expect(r.stdout).toContain("FreeBSD 14.3-RELEASE-p2 -> 14.3-RELEASE-p3");
    expect(r.stdout).toMatch(
      /Way back: `bectl activate provision-\d{8}T\d{6}Z && shutdown -r now`/,
    );
    expect(sh(set, 0, "pkg query %v curl").stdout).toBe("8.15.0\n");
    expect(sh(set, 0, "freebsd-version -u").stdout).toBe("14.3-RELEASE-p3\n");
    expect(sh(set, 0, "bectl list -H | cut -f1").stdout).toMatch(
      /^default\nprovision-\d{8}T\d{6}Z\n$/,
    );
    expect(sh(set, 0, "cat /var/run/matrix-synapse/homeserver.pid").stdout).not.toBe(before);
    expect(health()).toBe("OK");
    const again = provision(["update", "--host", name(), "--yes"]);
    expect(again.stdout).toContain("up to date. No changes.");
    expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
  });
});
