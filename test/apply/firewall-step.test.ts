// New firewall rules stay only when a new SSH connection confirms them; otherwise the timer armed
// before loading restores the old ones, and apply says which happened.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../src/apply/execute.js";
import { FIREWALL_DIR, firewallNote } from "../../src/apply/firewall-rollback.js";
import { guardedFirewallStep } from "../../src/apply/firewall-step.js";
import type { Connector, ExecResult } from "../../src/connector/types.js";
import { UserError } from "../../src/errors.js";
import { pendingKey } from "../../src/facts/pending-handlers.js";
import { freshFacts } from "../../src/facts/types.js";
import { loadInventory } from "../../src/inventory/load.js";
import { buildPlan, prepare } from "../../src/plan/build.js";
import { ROOT } from "../helpers/cli.js";
import { fixedSecrets, hostsFrom } from "../helpers/render.js";

function host(answer: (script: string) => string): Connector & { scripts: string[] } {
  const scripts: string[] = [];
  return {
    name: "m",
    roundTrips: 0,
    scripts,
    close: async () => undefined,
    exec: async (script): Promise<ExecResult> => {
      scripts.push(script);
      return { code: 0, stdout: answer(script), stderr: "" };
    },
  };
}
const ok: ExecResult = { code: 0, stdout: "Firewall rules loaded.\n", stderr: "" };

describe("a firewall step under automatic rollback", () => {
  it("arms the timer in the step's own script, before the rules load, detached from the session", () => {
    const step = guardedFirewallStep(
      host(() => ""),
      async () => host(() => ""),
      "t1",
      60,
    );
    const script = step.arm("service ipfw start");
    const armed = script.indexOf(`> ${FIREWALL_DIR}/armed.t1 || exit 1`);
    expect(armed).toBeGreaterThan(0);
    expect(armed).toBeLessThan(script.indexOf("service ipfw start"));
    const timer = script.slice(script.indexOf("daemon -f /bin/sh -c '"));
    expect(timer).toMatch(/^daemon -f \/bin\/sh -c '[\s\S]*\nsleep 60\n[\s\S]*if mv \S*armed\.t1 /);
    expect(timer).toMatch(/' timer \$\$\n/);
    expect(script).toContain("sed 's/^/rule /'");
  });

  it("keeps the rules a new connection confirms", async () => {
    const fresh = host((s) => (s.includes("armed.t2 ") ? "confirmed\n" : ""));
    const step = guardedFirewallStep(
      host(() => ""),
      async () => fresh,
      "t2",
      60,
    );
    expect(await step.settle(ok)).toBe(ok);
    expect(fresh.scripts).toHaveLength(1);
  });

  it("reports the rollback when new connections are refused", async () => {
    const old = host((s) => (s.includes("outcome.t3") ? "rolled back 2026-11-28T01:00:00Z\n" : ""));
    const step = guardedFirewallStep(
      old,
      async () => {
        throw new UserError("host m: authentication refused");
      },
      "t3",
      1,
    );
    const r = await step.settle(ok);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "the new firewall rules were not confirmed: a new SSH connection failed: host m: authentication refused\nthe previous firewall rules were restored automatically (rolled back 2026-11-28T01:00:00Z)\n",
    );
  });

  it("gives up on a new connection that never logs in, and reports the rollback", async () => {
    const old = host((s) => (s.includes("outcome.t5") ? "rolled back 2026-11-28T01:00:00Z\n" : ""));
    const step = guardedFirewallStep(
      old,
      () => new Promise<Connector>(() => undefined),
      "t5",
      1,
      100,
    );
    const r = await step.settle(ok);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "the new firewall rules were not confirmed: a new SSH connection did not confirm them within 1 s\nthe previous firewall rules were restored automatically (rolled back 2026-11-28T01:00:00Z)\n",
    );
  });

  it("asks again over another new connection when the first one broke before it answered", async () => {
    let tries = 0;
    const step = guardedFirewallStep(
      host(() => ""),
      async () => {
        tries++;
        if (tries === 1) throw new UserError("host m: connection closed before login");
        return host((s) => (s.includes("armed.t7 ") ? "confirmed\n" : ""));
      },
      "t7",
      5,
      100,
    );
    expect(await step.settle(ok)).toBe(ok);
    expect(tries).toBe(2);
  });

  it("keeps the rules when the host recorded a confirmation whose answer was lost", async () => {
    // The confirming connection moved the marker, then broke: the host's record says confirmed.
    const old = host((s) => (s.includes("outcome.t8") ? "confirmed 2026-11-28T01:00:00Z\n" : ""));
    const step = guardedFirewallStep(
      old,
      async () => {
        throw new UserError("host m: connection lost");
      },
      "t8",
      1,
      100,
    );
    const r = await step.settle(ok);
    expect(r.code, r.stderr).toBe(0);
  });

  it("restores the old rules at once when the step itself failed", async () => {
    const old = host((s) =>
      s.includes("mv /var/db/provision/firewall/armed.t4 /var/db/provision/firewall/fired")
        ? "rolled back 2026-11-28T01:00:00Z\n"
        : "",
    );
    const step = guardedFirewallStep(old, async () => old, "t4", 60);
    const r = await step.settle({ code: 1, stdout: "", stderr: "ipfw: bad rule" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "ipfw: bad rule\nthe previous firewall rules were restored (rolled back 2026-11-28T01:00:00Z)\n",
    );
  });

  it("reports a rollback that failed as failed, with what to do, when new connections are refused", async () => {
    const old = host((s) =>
      s.includes("outcome.t7")
        ? "rollback failed 2026-11-28T01:00:00Z (see /var/db/provision/firewall/rollback.log)\n"
        : "",
    );
    const step = guardedFirewallStep(
      old,
      async () => {
        throw new UserError("host m: authentication refused");
      },
      "t7",
      1,
    );
    const r = await step.settle(ok);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("were restored");
    expect(r.stderr).toContain(
      "the previous firewall rules could NOT be restored (rollback failed 2026-11-28T01:00:00Z (see /var/db/provision/firewall/rollback.log))",
    );
    expect(r.stderr).toContain(
      "sh /var/db/provision/firewall/restore /var/db/provision/firewall/snapshot",
    );
  });

  it("reports a failed restore after a failed step as failed", async () => {
    const old = host((s) =>
      s.includes("mv /var/db/provision/firewall/armed.t8 /var/db/provision/firewall/fired")
        ? "rollback failed 2026-11-28T01:00:00Z (see /var/db/provision/firewall/rollback.log)\n"
        : "",
    );
    const step = guardedFirewallStep(old, async () => old, "t8", 60);
    const r = await step.settle({ code: 1, stdout: "", stderr: "ipfw: bad rule" });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("were restored");
    expect(r.stderr).toContain(
      "the previous firewall rules could NOT be restored (rollback failed ",
    );
  });

  it("says the firewall was not changed when the arming itself failed", async () => {
    const old = host((s) => (s.includes("armed.t6 ") ? "not armed\n" : ""));
    const step = guardedFirewallStep(old, async () => old, "t6", 60);
    const r = await step.settle({
      code: 1,
      stdout: "",
      stderr: "/var/db/provision/firewall: the rollback timer did not start\n",
    });
    expect(r.stderr).toBe(
      "/var/db/provision/firewall: the rollback timer did not start\nthe firewall was not changed: its automatic rollback could not be armed\n",
    );
  });
});

/** The example host's plan on a fresh host, and its firewall changes. */
function firewallPlan() {
  const [h] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
  if (!h) throw new Error("no host");
  const { parts, request } = prepare(h, fixedSecrets());
  const plan = buildPlan(h, parts, freshFacts(request));
  return { plan, fw: plan.changes.filter((c) => c.recipe === "firewall") };
}

describe("apply of a firewall change", () => {
  it("arms the write of the firewall script too: the state saved before it holds the script as it was", async () => {
    const { plan, fw } = firewallPlan();
    expect(fw[0]).toMatchObject({ address: "file /etc/rc.firewall.matrix", firewall: true });
    const conn = host((s) => (s.includes("mv ") && s.includes("/confirmed") ? "confirmed\n" : ""));
    const r = await applyPlan(conn, { ...plan, changes: fw.slice(0, 1) }, () => undefined, {
      newConnection: async () => conn,
      stepPrefix: "",
    });
    expect(r.ok).toBe(true);
    const write = conn.scripts.find((s) => s.includes("/etc/rc.firewall.matrix"));
    expect(write).toBeDefined();
    expect(write?.indexOf(`${FIREWALL_DIR}/armed.`)).toBeGreaterThan(0);
    expect(write?.indexOf(`${FIREWALL_DIR}/armed.`)).toBeLessThan(write?.indexOf("mktemp") ?? 0);
  });
  it("runs a failed step's immediate rollback outside the step prefix: the session's end never cuts a restore short", async () => {
    // Registered as a step, the rollback would be ended with its session midway through putting
    // the rules back, after its claim had already turned the timer's rollback off.
    const { plan, fw } = firewallPlan();
    const scripts: string[] = [];
    const conn: Connector = {
      name: "m",
      roundTrips: 0,
      close: async () => undefined,
      exec: async (script): Promise<ExecResult> => {
        scripts.push(script);
        if (script.startsWith("STEP-PREFIX"))
          return { code: 1, stdout: "", stderr: "ipfw: bad rule\n" };
        const claimed = script.includes(`mv ${FIREWALL_DIR}/armed.`);
        return { code: 0, stdout: claimed ? "rolled back 2026-11-29T19:00:00Z\n" : "", stderr: "" };
      },
    };
    const r = await applyPlan(conn, { ...plan, changes: fw.slice(0, 1) }, () => undefined, {
      newConnection: async () => conn,
      stepPrefix: "STEP-PREFIX",
    });
    expect(r.ok).toBe(false);
    expect(scripts).toHaveLength(2);
    expect(scripts[1]).toMatch(
      new RegExp(`^if mv ${FIREWALL_DIR}/armed\\.\\S+ ${FIREWALL_DIR}/fired`),
    );
    expect(r.failed?.stderr).toBe(
      "ipfw: bad rule\nthe previous firewall rules were restored (rolled back 2026-11-29T19:00:00Z)\n",
    );
  });
});

describe("the plan of a firewall change", () => {
  it("says the change is applied with automatic rollback; a pending reload is a firewall change", () => {
    const [h] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
    if (!h) throw new Error("no host");
    const { parts, request } = prepare(h, fixedSecrets());
    const f = freshFacts(request);
    const plan = buildPlan(h, parts, f);
    expect(plan.notes).toContain(
      "firewall changes are applied with automatic rollback: the rules in force now come back 60 s after loading (firewall.confirm_timeout) unless a new SSH connection confirms the new ones",
    );
    expect(plan.firewallConfirmSeconds).toBe(60);
    f.services.set("ipfw", { installed: true, running: true });
    f.pendingHandlers.add(pendingKey("firewall", "reload firewall"));
    const reload = buildPlan(h, parts, f).changes.find((c) => c.handler === "reload firewall");
    expect(reload).toMatchObject({ firewall: true, steps: [{ script: "service ipfw start" }] });
  });

  it("takes its timeout from firewall.confirm_timeout, shown in the plan and used by apply", () => {
    const inventory = readFileSync(join(ROOT, "inventory.example.yaml"), "utf8").replace(
      "\n  vars:\n",
      "\n  vars:\n    firewall: { confirm_timeout: 15 }\n",
    );
    const [h] = hostsFrom(inventory);
    if (!h) throw new Error("no host");
    expect(h.config.firewall.confirm_timeout).toBe(15);
    const { parts, request } = prepare(h, fixedSecrets());
    const plan = buildPlan(h, parts, freshFacts(request));
    expect(plan.notes).toContain(firewallNote(15));
    expect(firewallNote(15)).toContain("come back 15 s after loading");
    expect(plan.firewallConfirmSeconds).toBe(15);
  });

  it("refuses a confirm_timeout too short to log in or long enough to stay locked out", () => {
    for (const value of [9, 601]) {
      const dir = mkdtempSync(join(tmpdir(), "provision-fw-"));
      const file = join(dir, "inventory.yaml");
      writeFileSync(
        file,
        readFileSync(join(ROOT, "inventory.example.yaml"), "utf8").replace(
          "\n  vars:\n",
          `\n  vars:\n    firewall: { confirm_timeout: ${value} }\n`,
        ),
      );
      expect(loadInventory(file).diagnostics).toMatchObject([
        {
          severity: "error",
          summary: `'confirm_timeout' must be between 10 and 600, got the number ${value}`,
          range: { file, start: { line: 11, column: 34 } },
        },
      ]);
    }
  });

  it("has no rollback note or timeout when nothing changes the rules in force", () => {
    const [h] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
    if (!h) throw new Error("no host");
    const plan = buildPlan(h, [], freshFacts(prepare(h, fixedSecrets()).request));
    expect(plan.notes.join("\n")).not.toContain("automatic rollback");
    expect(plan.firewallConfirmSeconds).toBeUndefined();
  });
});
