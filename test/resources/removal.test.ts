// Removal is part of declarative: what the inventory turns off is taken away by the plan (`-`,
// counted in "to destroy"), only what provision wrote or runs, with a note that data stays.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshFacts } from "../../src/facts/types.js";
import { PATHS } from "../../src/freebsd/paths.js";
import { buildPlan, prepare, REMOVAL_NOTE, summarize } from "../../src/plan/build.js";
import { ROOT } from "../helpers/cli.js";
import { fixedSecrets, hostsFrom } from "../helpers/render.js";

const EXAMPLE = readFileSync(join(ROOT, "inventory.example.yaml"), "utf8");

/** The example inventory with these lines added under all.vars.synapse / all.vars.turn. */
function hostWith(synapse: string, turn: string) {
  const text = EXAMPLE.replace("    synapse:\n", `    synapse:\n${synapse}`).replace(
    "    turn:\n",
    `    turn:\n${turn}`,
  );
  const [h] = hostsFrom(text);
  if (!h) throw new Error("no host");
  return h;
}

/** A converged host's facts for what removal looks at: TURN running, its files written. */
function convergedFacts(request: ReturnType<typeof prepare>["request"]) {
  const f = freshFacts(request);
  const file = { type: "file" as const, mode: "0644", owner: "root", group: "wheel" };
  f.files.set(PATHS.coturnConf, { ...file, mode: "0640", group: "coturn" });
  f.files.set(`${PATHS.apacheDocRoot}/.well-known/matrix/server`, file);
  f.files.set(`${PATHS.apacheDocRoot}/.well-known/matrix/client`, file);
  f.services.set("turnserver", { installed: true, running: true });
  f.packages.set("coturn", "4.6.3");
  return f;
}

describe("removal", () => {
  it("turn.enabled false stops coturn before its config moves away, and keeps the package", () => {
    const host = hostWith("      well_known: true\n", "      enabled: false\n");
    const { parts, request } = prepare(host, fixedSecrets());
    const plan = buildPlan(host, parts, convergedFacts(request));
    const coturn = plan.changes.filter((c) => c.recipe === "coturn");
    const deletes = coturn.filter((c) => c.action === "delete").map((c) => c.address);
    expect(deletes).toEqual(["service turnserver", `file ${PATHS.coturnConf}`]);
    expect(coturn.find((c) => c.address === `file ${PATHS.coturnConf}`)).toMatchObject({
      sensitive: true,
      notify: [],
    });
    // No restart handler for what is being taken away; the package stays.
    expect(plan.changes.map((c) => c.address)).not.toContain("pkg coturn");
    expect(coturn.filter((c) => c.address === "service turnserver")).toHaveLength(1);
    expect(summarize(plan.changes).remove).toBe(2);
    expect(plan.notes).toContain(REMOVAL_NOTE);
  });

  it("well_known false removes the two well-known files", () => {
    const host = hostWith("", "");
    const { parts, request } = prepare(host, fixedSecrets());
    const plan = buildPlan(host, parts, convergedFacts(request));
    expect(plan.changes.filter((c) => c.action === "delete").map((c) => c.address)).toEqual([
      `file ${PATHS.apacheDocRoot}/.well-known/matrix/client`,
      `file ${PATHS.apacheDocRoot}/.well-known/matrix/server`,
    ]);
  });

  it("with everything on there is nothing to remove and no removal note", () => {
    const host = hostWith("      well_known: true\n", "");
    const { parts, request } = prepare(host, fixedSecrets());
    const plan = buildPlan(host, parts, convergedFacts(request));
    expect(plan.changes.filter((c) => c.action === "delete")).toEqual([]);
    expect(plan.notes).not.toContain(REMOVAL_NOTE);
  });
});
