// A handler notified by an applied change stays due on the host until it ran: an apply that stops
// between a new config file and the restart leaves it recorded, and the next plan runs it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../src/apply/execute.js";
import type { Connector, ExecResult } from "../../src/connector/types.js";
import { PENDING_HANDLERS, pendingKey } from "../../src/facts/pending-handlers.js";
import { freshFacts } from "../../src/facts/types.js";
import { buildPlan, type HostPlan, prepare } from "../../src/plan/build.js";
import type { Change } from "../../src/resources/types.js";
import { ROOT } from "../helpers/cli.js";
import { fixedSecrets, hostsFrom } from "../helpers/render.js";

const [host] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
if (!host) throw new Error("no host");

/** Records every script; the scripts matching `failOn` exit 1. */
function recorder(failOn?: RegExp): Connector & { scripts: string[] } {
  const scripts: string[] = [];
  return {
    name: "m",
    roundTrips: 0,
    scripts,
    close: async () => undefined,
    exec: async (script): Promise<ExecResult> => {
      scripts.push(script);
      return { code: failOn?.test(script) ? 1 : 0, stdout: "", stderr: "" };
    },
  };
}

const config: Change = {
  address: "file /usr/local/etc/matrix-synapse/homeserver.yaml",
  type: "file",
  name: "/usr/local/etc/matrix-synapse/homeserver.yaml",
  recipe: "synapse",
  action: "update",
  summary: "content",
  steps: [{ kind: "exec", description: "write", script: "write-homeserver-yaml" }],
  notify: ["restart synapse"],
};
const later: Change = {
  ...config,
  address: "pip x",
  notify: [],
  steps: [{ kind: "exec", description: "pip", script: "pip-install-x" }],
};
const restart: Change = {
  ...config,
  address: "service synapse",
  type: "service",
  name: "synapse",
  notify: [],
  handler: "restart synapse",
  steps: [{ kind: "exec", description: "restart", script: "service synapse restart" }],
};
const plan = (changes: Change[]) => ({ host: "m", changes }) as unknown as HostPlan;

describe("pending handlers", () => {
  it("records the restart as due in the same script that writes the notifying file", async () => {
    const conn = recorder(/pip-install-x/);
    const r = await applyPlan(conn, plan([config, later, restart]), () => undefined, {
      stepPrefix: "",
    });
    expect(r.ok).toBe(false);
    const first = conn.scripts[0] ?? "";
    expect(first).toContain(`printf '%s\\n' 'synapse\trestart synapse'`);
    expect(first).toContain(`mv -f ${PENDING_HANDLERS}.new ${PENDING_HANDLERS}`);
    expect(first.indexOf(PENDING_HANDLERS)).toBeLessThan(first.indexOf("write-homeserver-yaml"));
    // Stopped before the restart: nothing cleared the record.
    expect(
      conn.scripts.some(
        (s) => s.includes("grep -vxF") || s.split("\n").includes(`rm -f ${PENDING_HANDLERS}`),
      ),
    ).toBe(false);
  });

  it("clears a handler once it ran, and the whole list after an apply that finished", async () => {
    const conn = recorder();
    expect(
      (await applyPlan(conn, plan([config, restart]), () => undefined, { stepPrefix: "" })).ok,
    ).toBe(true);
    expect(conn.scripts).toHaveLength(4);
    expect(conn.scripts[2]).toContain("grep -vxF -e 'synapse\trestart synapse'");
    expect(conn.scripts[3]).toBe(`\n(\nrm -f ${PENDING_HANDLERS}\n)`);
  });

  it("runs the clearing of handlers under the step prefix too: a late one stops with the steps", async () => {
    // Started after its session ended, an unguarded clear would drop the next apply's record.
    const conn = recorder();
    const prefix = "STEP-PREFIX";
    expect(
      (await applyPlan(conn, plan([config, restart]), () => undefined, { stepPrefix: prefix })).ok,
    ).toBe(true);
    expect(conn.scripts).toHaveLength(4);
    for (const script of conn.scripts) expect(script.startsWith(`${prefix}\n(\n`)).toBe(true);
  });

  it("says the step ran when only the clearing of its handler failed", async () => {
    const conn = recorder(/grep -vxF/);
    const r = await applyPlan(conn, plan([config, restart]), () => undefined, { stepPrefix: "" });
    expect(r).toMatchObject({ ok: false, applied: 1 });
    expect(r.failed?.change.address).toBe("service synapse");
    expect(r.failed?.stderr).toBe(
      "the step ran; its handler stays due, and the next apply runs it\n",
    );
  });

  it("fails the apply when the record cannot be written, before the file changes", async () => {
    const conn = recorder(/pending-handlers/);
    const r = await applyPlan(conn, plan([config]), () => undefined, { stepPrefix: "" });
    expect(r).toMatchObject({ ok: false, applied: 0 });
  });

  it("plans a restart left due by the last apply, though no file differs now", () => {
    const prepared = prepare(host, fixedSecrets());
    const { request } = prepared;
    const f = freshFacts(request);
    expect(request.pendingHandlers).toBe(true);
    // Synapse runs already and its files match (left out here): nothing else would restart it.
    f.services.set("synapse", { installed: true, running: true });
    const parts = prepared.parts.map((p) => ({
      ...p,
      resources: p.resources.filter((r) => !r.notify.includes("restart synapse")),
    }));
    const before = buildPlan(host, parts, f).changes.filter((c) => c.name === "synapse");
    expect(before.map((c) => c.address)).not.toContain("service synapse");
    f.pendingHandlers.add(pendingKey("synapse", "restart synapse"));
    const after = buildPlan(host, parts, f).changes.filter((c) => c.address === "service synapse");
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      action: "update",
      handler: "restart synapse",
      steps: [{ script: "service synapse restart" }],
    });
    expect(after[0]?.summary).toMatch(/^restart \(.*pending from the last apply\)$/);
  });

  it("folds a pending restart into the start of a service that is not running", () => {
    const { parts, request } = prepare(host, fixedSecrets());
    const f = freshFacts(request);
    f.pendingHandlers.add(pendingKey("synapse", "restart synapse"));
    const plan = buildPlan(host, parts, f);
    expect(plan.changes.filter((c) => c.address === "service synapse")).toHaveLength(1);
    expect(plan.changes.find((c) => c.address === "service synapse")?.handler).toBeUndefined();
  });
});
