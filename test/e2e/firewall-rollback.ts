// End to end, on the host test/e2e/lock.test.ts converged (its first firewall rules confirmed
// then): changed firewall rules stay only when a NEW SSH connection confirms them
// (share/examples/ipfw/change_rules.sh). Rules that shut SSH out are refused by the host's
// emulated ipfw for every new connection (sshd's gate), apply reports the unconfirmed change and
// fails, and the old rules come back by themselves after firewall.confirm_timeout; rules that
// are fine are confirmed and stay. A wrong management CIDR or SSH port is refused by the plan
// itself (firewall-lockout and ssh-port-lockout, apply.test.ts); what reaches the host is what
// no plan can foresee: here an ipfw error halfway through the script, which leaves the rules
// without the SSH rule.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIREWALL_DIR, firewallNote } from "../../src/apply/firewall-rollback.js";
import { type CliResult, cli, type Started, startCli } from "../helpers/cli.js";
import { waitFor } from "../helpers/procs.js";
import { type Converged, type E2EHosts, sh } from "../helpers/target.js";

/** firewall.confirm_timeout of the test inventory: short, so the test waits seconds, not a minute. */
const CONFIRM = 15;
const EXTRA_CIDR = "198.51.100.0/24";
const OTHER_CIDR = "203.0.113.0/24";

/**
 * The firewall rollback checks, as a describe block of the calling file: they run after its
 * tests, on its converged host (local test hosts only; `skip` says why not).
 */
export function describeFirewallRollback(
  skip: string | undefined,
  converged: () => Converged,
): void {
  let set: E2EHosts;
  let inv: string;
  let env: Record<string, string>;
  let gateway: string;
  const outputs: string[] = [];

  function provision(args: string[]): CliResult {
    const r = cli([...args, "-i", inv], { env });
    outputs.push(r.stdout, r.stderr);
    return r;
  }

  /** apply, left running while the test looks at the host. */
  function applyInBackground(): Promise<CliResult & { ms: number }> {
    return startApply().done;
  }

  function startApply(): Started {
    const started = startCli(["apply", "--yes", "--no-color", "-i", inv], { env });
    const done = started.done.then((r) => {
      outputs.push(r.stdout, r.stderr);
      return r;
    });
    return { child: started.child, done };
  }

  /** A new SSH connection from this machine with OpenSSH's client, as an operator would open one. */
  function newSsh(): { code: number; stderr: string } {
    const r = spawnSync(
      "ssh",
      [
        "-F",
        "/dev/null",
        "-i",
        join(set.dir, "id_ed25519"),
        "-o",
        `UserKnownHostsFile=${join(set.dir, "known_hosts")}`,
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=10",
        "-p",
        String(set.hosts[0]?.port),
        "root@127.0.0.1",
        "true",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    return { code: r.status ?? -1, stderr: r.stderr };
  }

  const rules = () => sh(set, 0, "ipfw list").stdout;
  /** Every outcome on the host is a confirmation: no rollback, successful or not, ran. */
  const nothingRestored = () =>
    sh(set, 0, `cat ${FIREWALL_DIR}/outcome.* 2>/dev/null; true`)
      .stdout.split("\n")
      .filter(Boolean)
      .every((l) => l.startsWith("confirmed "));
  const gate = (...extra: string[]) =>
    sh(set, 0, `ipfw testhost-check tcp ${gateway} 22 ${extra.join(" ")}`);
  const setCidrs = (cidrs: string[]) => {
    const text = readFileSync(inv, "utf8").replace(
      /( {4}management_cidrs:\n)(?: {6}- .*\n)+/,
      `$1${cidrs.map((c) => `      - ${c}\n`).join("")}`,
    );
    writeFileSync(inv, text);
  };

  describe.skipIf(skip)("firewall changes under automatic rollback", { timeout: 900_000 }, () => {
    beforeAll(() => {
      ({ set, inv, env } = converged());
      gateway = set.hosts[0]?.gateway ?? "";
      // The inventory key operators use for a slow link, at a value that keeps this test short (it
      // changes no file: the plan stays empty).
      writeFileSync(
        inv,
        readFileSync(inv, "utf8").replace(
          "\n  vars:\n",
          `\n  vars:\n    firewall:\n      confirm_timeout: ${CONFIRM}\n`,
        ),
      );
    });

    it("its first rules, loaded by the converge before, were confirmed by a new connection", () => {
      expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
      expect(nothingRestored()).toBe(true);
      expect(gate().stdout).toBe("allow 02000\n");
      expect(newSsh().code).toBe(0);
    });

    it("keeps new rules that let new SSH connections in: confirmed, the timer cancelled, the rules stay", async () => {
      setCidrs([`${gateway}/32`, EXTRA_CIDR]);
      const plan = provision(["plan", "--no-color"]);
      expect(plan.stdout).toContain(firewallNote(CONFIRM));
      const apply = await applyInBackground();
      expect(apply.stderr).toBe("");
      expect(apply.code).toBe(0);
      expect(apply.ms).toBeLessThan(CONFIRM * 1000);
      const loaded = rules();
      expect(loaded).toContain(`02000 allow tcp from ${EXTRA_CIDR} to me 22 setup\n`);
      // Cancelled: no timer is armed any more; once its time has passed, nothing was restored.
      expect(sh(set, 0, `ls ${FIREWALL_DIR}`).stdout).not.toMatch(/^armed\./m);
      await new Promise((done) => setTimeout(done, (CONFIRM + 3) * 1000));
      expect(nothingRestored()).toBe(true);
      expect(rules()).toBe(loaded);
      expect(newSsh().code).toBe(0);
      expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
    });

    it("a rerun within the window ends the timer of a run cut before confirming; the rerun's confirmed rules stay", async () => {
      setCidrs([`${gateway}/32`, OTHER_CIDR]);
      // Run 1 cannot confirm (while its rules are in force, the host's gate refuses new
      // connections) and is cut.
      sh(
        set,
        0,
        "touch /var/tmp/refuse-new && mv /usr/sbin/ipfw /usr/sbin/ipfw.real && cat > /usr/sbin/ipfw && chmod 0755 /usr/sbin/ipfw",
        "#!/bin/sh\n" +
          `if [ "$1" = testhost-check ] && [ -f /var/tmp/refuse-new ] && /usr/sbin/ipfw.real list | grep -q ' from ${OTHER_CIDR} '; then echo "deny 65000"; exit 1; fi\n` +
          'exec /usr/sbin/ipfw.real "$@"\n',
      );
      let first: { pid: string; file: string };
      try {
        const run1 = startApply();
        first = await waitFor(
          "run 1's rules loaded and its timer armed",
          () => {
            const now = rules();
            if (!now.includes(OTHER_CIDR) || !now.includes("65000 deny")) return undefined;
            const t = sh(
              set,
              0,
              `cd ${FIREWALL_DIR} && for f in timer.*; do [ -s "$f" ] && echo "$f $(cat "$f")"; done`,
            );
            const [file, pid] = t.stdout.trim().split(" ");
            return file && pid ? { file, pid } : undefined;
          },
          60_000,
        );
        run1.child.kill("SIGKILL");
        await run1.done;
      } finally {
        sh(set, 0, "mv /usr/sbin/ipfw.real /usr/sbin/ipfw && rm -f /var/tmp/refuse-new");
      }
      const armedAt = Date.now();
      // Run 2, as soon as the host let go of run 1's lock.
      const run2 = await waitFor(
        "run 2",
        () => {
          const r = provision(["apply", "--yes"]);
          return r.stderr.includes("is locked (") ? undefined : r;
        },
        30_000,
      );
      expect(run2.stderr).toBe("");
      expect(run2.code).toBe(0);
      // Run 1's timer is gone: ended by run 2 before it armed its own.
      expect(sh(set, 0, `ls ${FIREWALL_DIR}`).stdout).not.toContain(first.file);
      expect(sh(set, 0, `kill -0 ${first.pid}`).code).not.toBe(0);
      // Past run 1's window: nothing was restored over run 2's confirmed rules.
      await new Promise((done) =>
        setTimeout(done, Math.max(0, armedAt + (CONFIRM + 3) * 1000 - Date.now())),
      );
      expect(nothingRestored()).toBe(true);
      expect(rules()).toContain(`02000 allow tcp from ${OTHER_CIDR} to me 22 setup\n`);
      expect(newSsh().code).toBe(0);
      expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
    });

    it("rolls back new rules that refuse new SSH connections, says so, and converges once fixed", async () => {
      const before = rules();
      const script = sh(set, 0, "cat /etc/rc.firewall.matrix").stdout;
      const conf = sh(set, 0, "grep firewall_ /etc/rc.conf").stdout;
      // An ipfw error halfway through the firewall script (once): the management network's SSH
      // rule is never added. The script goes on, as /bin/sh does after a failed command.
      sh(
        set,
        0,
        "touch /var/tmp/ipfw-fail-once && mv /usr/sbin/ipfw /usr/sbin/ipfw.real && cat > /usr/sbin/ipfw && chmod 0755 /usr/sbin/ipfw",
        "#!/bin/sh\n" +
          'case " $* " in *" add 2000 "*) if [ -f /var/tmp/ipfw-fail-once ]; then rm -f /var/tmp/ipfw-fail-once; echo "ipfw: getsockopt(IP_FW_XADD): Invalid argument" >&2; exit 64; fi ;; esac\n' +
          'exec /usr/sbin/ipfw.real "$@"\n',
      );
      try {
        setCidrs([`${gateway}/32`]);
        const plan = provision(["plan", "--no-color"]);
        expect(plan.code).toBe(0);
        expect(plan.stdout).toContain(firewallNote(CONFIRM));
        const running = applyInBackground();
        // The new rules are in force: the whole script ran (rule 65000) without any SSH rule.
        const loaded = await waitFor(
          "the new rules",
          () => {
            const now = rules();
            return now.includes("65000 deny") && !now.includes(" 22 setup") ? now : undefined;
          },
          60_000,
        );
        expect(loaded).not.toContain("02000");
        expect(sh(set, 0, `ls ${FIREWALL_DIR}`).stdout).toMatch(/^armed\./m);
        // While they are: a new connection's first segment meets rule 65000, and sshd refuses it;
        // the apply's own connection lives on through rule 1000 (established), as on FreeBSD.
        expect(gate()).toMatchObject({ code: 1, stdout: "deny 65000\n" });
        expect(gate("established")).toMatchObject({ code: 0, stdout: "allow 01000\n" });
        const refused = newSsh();
        expect(refused.code, refused.stderr).toBe(255);
        const apply = await running;
        const said = apply.stdout + apply.stderr;
        expect(apply.code).toBe(1);
        // sshd refuses the login after its gate said no (on FreeBSD the SYN is dropped: a timeout).
        expect(said).toContain(
          "the new firewall rules were not confirmed: a new SSH connection failed: cannot connect to host matrix1",
        );
        expect(said).toContain("the host closed the connection before login completed");
        expect(said).toMatch(
          /the previous firewall rules were restored automatically \(rolled back /,
        );
        // Not the default minute: the inventory's timeout.
        expect(apply.ms).toBeGreaterThan((CONFIRM - 2) * 1000);
        expect(apply.ms).toBeLessThan(60_000);
      } finally {
        sh(set, 0, "mv /usr/sbin/ipfw.real /usr/sbin/ipfw");
      }
      // The old rules are back by themselves: new connections get in again. So is what a restart
      // or a reboot loads: the firewall script and rc.conf's lines as they were.
      expect(rules()).toBe(before);
      expect(sh(set, 0, "cat /etc/rc.firewall.matrix").stdout).toBe(script);
      expect(sh(set, 0, "grep firewall_ /etc/rc.conf").stdout).toBe(conf);
      expect(sh(set, 0, "service ipfw restart && ipfw list").stdout).toContain(before);
      expect(gate().stdout).toBe("allow 02000\n");
      expect(newSsh().code).toBe(0);
      // The reload is still due: the next apply loads the intended rules, a new connection
      // confirms them, and the host converges.
      const plan = provision(["plan", "--no-color"]);
      expect(plan.stdout).toContain("~ file /etc/rc.firewall.matrix  content");
      expect(plan.stdout).toMatch(/~ service ipfw\s+start \(.*pending from the last apply\)/);
      const again = provision(["apply", "--yes"]);
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
      expect(rules()).not.toContain(EXTRA_CIDR);
      expect(rules()).toContain(`02000 allow tcp from ${gateway} to me 22 setup\n`);
      expect(newSsh().code).toBe(0);
    });
  });
}
