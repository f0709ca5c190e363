// The apply lock dies with the session that took it: a CLI killed mid-apply leaves nothing for the
// next apply to refuse (that first converge is also the firewall rollback tests' host,
// ./firewall-rollback.ts). A live lock is refused with its owner's details, `provision unlock`
// removes only a stale one. A step that fails after a config file was written leaves its
// restart due, and the next apply runs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { waitFor } from "../helpers/procs.js";
import { inventoryWithStore } from "../helpers/secrets.js";
import { acmeReachable, type E2EHosts, e2eHosts, sh, testHostsOnly } from "../helpers/target.js";
import { applyRun } from "./apply-run.js";
import { describeFirewallRollback } from "./firewall-rollback.js";

const noAcme = acmeReachable().why;
if (noAcme) console.warn(`skipping the lock tests: ${noAcme}`);
let set: E2EHosts;
let inv: string;
let env: Record<string, string>;
const provision = (args: string[]) => cli([...args, "-i", inv], { env });
const unlocked = () =>
  sh(set, 0, "lockf -k -t 0 /var/run/provision.lock true").code === 0 ? true : undefined;

beforeAll(async () => {
  if (noAcme) return;
  set = await e2eHosts(1);
  ({ inv, env } = await inventoryWithStore(set));
}, 600_000);
afterAll(async () => set?.stop());

describe.skipIf(noAcme)("the apply lock and pending handlers", { timeout: 1_800_000 }, () => {
  it("a CLI killed mid-apply leaves the host unlocked: the next apply proceeds and converges", async () => {
    let killedAt = 0;
    const killed = await applyRun(["-i", inv], env, (s, kill) => {
      if (s.index === 20 && !killedAt) {
        killedAt = s.index;
        kill();
      }
    });
    expect(killed.signal).toBe("SIGKILL");
    expect(killedAt).toBe(20);
    // The holder named itself in the lock file (lockf -k keeps the file once it lets go).
    const named = /, process (\d+) on the host$/m.exec(
      sh(set, 0, "cat /var/run/provision.lock").stdout,
    );
    expect(named).not.toBeNull();
    // sshd closes the dead session's channels; the holder ends and lockf lets go.
    await waitFor("the lock to go with the session", unlocked, 15_000);
    // The emulated lockf(1) lets go only once its child, the holder, has ended, as FreeBSD's
    // does (it waits for the child, then unlocks): a late step then finds the holder gone.
    expect(sh(set, 0, `kill -0 ${named?.[1]}`).code).not.toBe(0);
    const again = provision(["apply", "--yes"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
  });

  it("refuses a live lock with its owner's details; unlock refuses it too, then removes it once stale", () => {
    sh(
      set,
      0,
      `lockf -k -t 0 /var/run/provision.lock /bin/sh -c 'printf "alice@laptop pid 4242 since 2026-01-01T00:00:00Z, process %s on the host\\n" $$ > /var/run/provision.lock; exec sleep 600' >/dev/null 2>&1 &`,
    );
    sh(set, 0, "echo drift >> /etc/periodic.conf");
    const r = provision(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: host matrix1 is locked \(alice@laptop pid 4242 since 2026-01-01T00:00:00Z, process \d+ on the host\)/,
    );
    const refused = provision(["unlock", "--host", "matrix1", "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is locked by a running apply (alice@laptop pid 4242");
    expect(sh(set, 0, "test -f /var/run/provision.lock").code).toBe(0);
    // Without a terminal and without --yes, nothing is removed.
    sh(set, 0, "pkill -f 'sleep 600'");
    expect(provision(["unlock", "--host", "matrix1"]).code).toBe(1);
    expect(sh(set, 0, "test -f /var/run/provision.lock").code).toBe(0);
    const removed = provision(["unlock", "--host", "matrix1", "--yes"]);
    expect(removed.stderr).toBe("");
    expect(removed.stdout).toContain("matrix1: removed a stale apply lock (alice@laptop pid 4242");
    expect(provision(["unlock", "--host", "matrix1", "--yes"]).stdout).toBe(
      "matrix1: not locked.\n",
    );
  });

  it("names a lock left by an older provision and removes it with unlock", () => {
    sh(
      set,
      0,
      "mkdir /var/run/provision.lock && echo 'someone@elsewhere' > /var/run/provision.lock/owner",
    );
    const r = provision(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error: host matrix1 has a lock left by an older provision (someone@elsewhere)",
    );
    expect(r.stderr).toContain("provision unlock --host matrix1");
    expect(provision(["unlock", "--host", "matrix1", "--yes"]).code).toBe(0);
    expect(sh(set, 0, "test -e /var/run/provision.lock").code).toBe(1);
    const again = provision(["apply", "--yes"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
  });

  it("a step failing after homeserver.yaml was written leaves the restart due; the next apply runs it", () => {
    const conf = "/usr/local/etc/matrix-synapse/homeserver.yaml";
    const pid = () => sh(set, 0, "cat /var/run/matrix-synapse/homeserver.pid").stdout.trim();
    const before = pid();
    // Drift: homeserver.yaml (rewritten, notifies the restart) and synapse_enable, whose sysrc
    // write comes later in the recipe and fails.
    sh(set, 0, `echo '# drift' >> ${conf}; sysrc synapse_enable=NO >/dev/null`);
    sh(
      set,
      0,
      "mv /usr/sbin/sysrc /usr/sbin/sysrc.ok && cat > /usr/sbin/sysrc && chmod +x /usr/sbin/sysrc",
      '#!/bin/sh\nfor a; do case "$a" in *=*) echo "sysrc: cannot write /etc/rc.conf" >&2; exit 1 ;; esac; done\nexec /usr/sbin/sysrc.ok "$@"\n',
    );
    const failed = provision(["apply", "--yes"]);
    sh(set, 0, "mv /usr/sbin/sysrc.ok /usr/sbin/sysrc");
    expect(failed.code).toBe(1);
    expect(failed.stderr + failed.stdout).toContain("cannot write /etc/rc.conf");
    expect(sh(set, 0, `grep -c '# drift' ${conf}`).stdout.trim()).toBe("0");
    expect(pid()).toBe(before);
    expect(sh(set, 0, "cat /var/db/provision/pending-handlers").stdout).toBe(
      "synapse\trestart synapse\n",
    );
    const plan = provision(["plan", "--no-color"]);
    expect(plan.stdout).toMatch(/~ service synapse\s+restart \(pending from the last apply\)/);
    const fixed = provision(["apply", "--yes"]);
    expect(fixed.stderr).toBe("");
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain("service synapse restart");
    expect(pid()).not.toBe(before);
    expect(sh(set, 0, "test -e /var/db/provision/pending-handlers").code).toBe(1);
    expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
  });
});

// On the same host, converged above: changed rules stay only once a new connection confirms them.
describeFirewallRollback(
  noAcme ?? testHostsOnly("an ipfw that fails once and the test host's SSH gate"),
  () => ({ set, inv, env }),
);
