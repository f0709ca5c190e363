// End to end: what the inventory turns off goes away (coturn stopped and disabled, its config
// moved to the backup directory, its firewall rules and homeserver.yaml's TURN settings gone),
// and the plan is clean afterwards.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { loadInventory } from "../../src/inventory/load.js";
import { cli } from "../helpers/cli.js";
import { makeStore } from "../helpers/secrets.js";
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
  inv = join(set.dir, "inventory.yaml");
  env = { PROVISION_AGE_IDENTITY_FILE: join(set.dir, "age.txt") };
  const loaded = loadInventory(inv);
  await makeStore(
    loaded.inventory?.secrets.file as string,
    env.PROVISION_AGE_IDENTITY_FILE as string,
    set.hosts.map((h) => h.name),
  );
});
afterAll(async () => set?.stop());

describe.skipIf(noAcme)("removal is part of declarative", { timeout: 1_800_000 }, () => {
  it("converges with TURN on", () => {
    const apply = provision(["apply", "--yes"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(sh(set, 0, "service turnserver status").code).toBe(0);
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
