// Fault injection: a full apply whose SSH connection is cut again and again, through a proxy the
// test controls: at the start of every 5th step of each run, and in the middle of long steps.
// After each cut the host is not left locked; in the end the reruns converge, every managed
// file is the rendered one byte for byte (none half-written), no handler is left due, and each
// restarted service runs on the configuration it was notified for.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIREWALL_NOTE } from "../../src/apply/firewall-rollback.js";
import { loadInventory } from "../../src/inventory/load.js";
import { cli } from "../helpers/cli.js";
import { waitFor } from "../helpers/procs.js";
import { makeStore } from "../helpers/secrets.js";
import { acmeReachable, type E2EHosts, e2eHosts, sh, testHostsOnly } from "../helpers/target.js";
import { applyRun, type StepStart } from "./apply-run.js";
import { CutProxy } from "./cut-proxy.js";

const EVERY = 5;
const MID_STEP_CUTS = 3;
const MID_STEP_DELAY_MS = 1500;
/** Steps long enough to be cut in the middle. */
const LONG = /^(pkg |pip |virtualenv |dhparam |certificate )/;

const why = acmeReachable().why ?? testHostsOnly("a proxy in front of a local test host");
if (why) console.warn(`skipping the fault-injection tests: ${why}`);
let set: E2EHosts;
let inv: string;
let env: Record<string, string>;
let proxy: CutProxy;
const provision = (args: string[]) => cli([...args, "-i", inv], { env });

beforeAll(async () => {
  if (why) return;
  set = await e2eHosts(1);
  const host = set.hosts[0];
  if (!host) throw new Error("no host");
  proxy = new CutProxy(host.port);
  const port = await proxy.listen();
  // The inventory reaches the host through the proxy; known_hosts knows it there too.
  inv = join(set.dir, "inventory.yaml");
  writeFileSync(inv, readFileSync(inv, "utf8").replace(`port: ${host.port}\n`, `port: ${port}\n`));
  const known = join(set.dir, "known_hosts");
  const line = readFileSync(known, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`[127.0.0.1]:${host.port} `));
  writeFileSync(known, `${line?.replace(`:${host.port} `, `:${port} `)}\n`, { flag: "a" });
  env = { PROVISION_AGE_IDENTITY_FILE: join(set.dir, "age.txt") };
  const loaded = loadInventory(inv);
  await makeStore(
    loaded.inventory?.secrets.file as string,
    env.PROVISION_AGE_IDENTITY_FILE as string,
    set.hosts.map((h) => h.name),
  );
}, 600_000);
afterAll(async () => {
  await proxy?.close();
  await set?.stop();
});

const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

describe.skipIf(why)("an apply whose connection is cut", { timeout: 3_600_000 }, () => {
  it("converges after every cut, never left locked, no file half-written, no handler lost", async () => {
    const t0 = Date.now();
    const cutPoints: string[] = [];
    let midCuts = 0;
    let runs = 0;
    for (;;) {
      runs++;
      expect(runs, `still not converged after ${cutPoints.length} cuts`).toBeLessThan(60);
      let timer: NodeJS.Timeout | undefined;
      const onStart = (s: StepStart) => {
        if (timer) return;
        if (midCuts < MID_STEP_CUTS && s.index > 1 && LONG.test(s.address)) {
          midCuts++;
          timer = setTimeout(() => {
            cutPoints.push(`middle of ${s.address} (${s.description})`);
            proxy.cut();
          }, MID_STEP_DELAY_MS);
        } else if (s.index === EVERY) {
          cutPoints.push(`before ${s.address} (${s.description})`);
          timer = setTimeout(() => proxy.cut(), 0);
        }
      };
      const r = await applyRun(["-i", inv], env, onStart);
      if (timer) clearTimeout(timer);
      if (r.code === 0) break;
      // A run ends only by a cut here; anything else is a failure to show.
      expect(
        timer,
        `apply failed without a cut: ${r.stderr}${r.stdout.slice(-2000)}`,
      ).toBeDefined();
      await waitFor(
        "the lock to go with the cut session",
        () =>
          sh(set, 0, "lockf -k -t 0 /var/run/provision.lock true").code === 0 ? true : undefined,
        20_000,
      );
    }
    const seconds = ((Date.now() - t0) / 1000).toFixed(0);
    console.log(
      `fault injection: ${cutPoints.length} cut points (${midCuts} mid-step) over ${runs} runs in ${seconds} s:\n  ${cutPoints.join("\n  ")}`,
    );
    expect(cutPoints.length).toBeGreaterThanOrEqual(5);

    // Converged: nothing left to do, nothing left due.
    const settled = provision(["plan", "--detailed-exitcode"]);
    expect(settled.code, `${settled.stdout.slice(-3000)}${settled.stderr}`).toBe(0);
    expect(sh(set, 0, "test -e /var/db/provision/pending-handlers").code).toBe(1);

    // Every managed file is the rendered one, byte for byte.
    const out = join(set.dir, "rendered");
    expect(provision(["render", "--out", out]).code).toBe(0);
    const manifest = readFileSync(join(out, "matrix1/MANIFEST"), "utf8")
      .trim()
      .split("\n")
      .slice(1);
    expect(manifest.length).toBeGreaterThan(10);
    for (const entry of manifest) {
      const [path, , , hash] = entry.split("\t") as [string, string, string, string];
      expect(sha256(readFileSync(join(out, "matrix1", path))), path).toBe(hash);
      expect(sh(set, 0, `sha256sum ${path}`).stdout.split(" ")[0], path).toBe(hash);
    }

    // Each restarted service started after its configuration was last written.
    for (const [pidfile, conf] of [
      ["/var/run/matrix-synapse/homeserver.pid", "/usr/local/etc/matrix-synapse/homeserver.yaml"],
      ["/var/run/turnserver.pid", "/usr/local/etc/turnserver.conf"],
    ] as const) {
      const r = sh(
        set,
        0,
        `pid=$(cat ${pidfile}) && echo $(( $(date +%s) - $(ps -o etimes= -p $pid) )) $(stat -c %Y ${conf})`,
      );
      const [started, written] = r.stdout.trim().split(" ").map(Number);
      expect(r.code, `${pidfile}: ${r.stderr}`).toBe(0);
      expect(started, conf).toBeGreaterThanOrEqual((written ?? 0) - 1);
    }
  });

  it("new firewall rules that refuse new SSH connections are rolled back by themselves, and apply says so", () => {
    const gateway = set.hosts[0]?.gateway ?? "";
    const rules = () => sh(set, 0, "ipfw list").stdout;
    const before = rules();
    expect(sh(set, 0, `ipfw testhost-check tcp ${gateway} 22`).code).toBe(0);
    // An ipfw error halfway through the firewall script (once): the SSH rule is never added.
    sh(set, 0, "echo '# drift' >> /etc/rc.firewall.matrix; touch /var/tmp/ipfw-fail-once");
    sh(
      set,
      0,
      "mv /usr/sbin/ipfw /usr/sbin/ipfw.real && cat > /usr/sbin/ipfw && chmod +x /usr/sbin/ipfw",
      "#!/bin/sh\n" +
        'case " $* " in *" add 2000 "*) if [ -f /var/tmp/ipfw-fail-once ]; then rm -f /var/tmp/ipfw-fail-once; echo "ipfw: getsockopt(IP_FW_XADD): Invalid argument" >&2; exit 64; fi ;; esac\n' +
        'exec /usr/sbin/ipfw.real "$@"\n',
    );
    try {
      const plan = provision(["plan", "--no-color"]);
      const hostState = () => sh(set, 0, "ps ax -o pid,pgid,etimes,args; ipfw list").stdout;
      expect(plan.code, `${plan.stdout.slice(-3000)}${plan.stderr}\n${hostState()}`).toBe(0);
      expect(plan.stdout).toContain(FIREWALL_NOTE);
      const t0 = Date.now();
      const r = provision(["apply", "--yes", "--no-color"]);
      const said = r.stdout + r.stderr;
      expect(r.code).toBe(1);
      expect(said).toContain(
        "the new firewall rules were not confirmed: a new SSH connection failed",
      );
      expect(said).toMatch(
        /the previous firewall rules were restored automatically \(rolled back /,
      );
      expect(Date.now() - t0).toBeGreaterThan(55_000);
    } finally {
      sh(set, 0, "mv /usr/sbin/ipfw.real /usr/sbin/ipfw");
    }
    // The old rules are back: new connections from the management network get in again.
    expect(rules()).toBe(before);
    expect(sh(set, 0, `ipfw testhost-check tcp ${gateway} 22`).code).toBe(0);
    // The reload is still due: the next apply loads the rules, confirms them, converges.
    const plan = provision(["plan", "--no-color"]);
    expect(plan.stdout).toMatch(/~ service ipfw\s+start \(pending from the last apply\)/);
    const again = provision(["apply", "--yes"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
    expect(rules()).toBe(before);
  }, 600_000);
});
