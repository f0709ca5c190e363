// The command views render events as text or --json events; the same data either way.
import { describe, expect, it } from "vitest";
import type { HostSession } from "../../src/plan/session.js";
import type { Change } from "../../src/resources/types.js";
import { applyView } from "../../src/views/apply.js";
import { renderPlan } from "../../src/views/plan.js";
import { renewView } from "../../src/views/renew-certs.js";
import { captureOutput, parseEvents } from "./capture.js";

const account: Change = {
  address: "command register the ACME account",
  type: "command",
  name: "register the ACME account",
  recipe: "certificates",
  action: "create",
  summary: "run",
  steps: [{ kind: "exec", description: "register", script: "dehydrated --register" }],
  notify: [],
};
const unreachable =
  "ERROR: Problem connecting to server (get for https://acme.example/dir; curl returned with 7)";
const failed = {
  type: "apply_result" as const,
  changes: [account],
  result: {
    host: "matrix",
    ok: false,
    applied: 3,
    failed: {
      change: account,
      step: account.steps[0] as Change["steps"][number],
      code: 1,
      stderr: unreachable,
      stdout: "",
    },
  },
};

describe("apply's view", () => {
  it("shows each step on one line in a log, and a failure with what to do about it", () => {
    const { out, text } = captureOutput(false);
    const show = applyView(out, false);
    show({
      type: "apply_start",
      host: "matrix",
      change: account,
      step: account.steps[0] as Change["steps"][number],
      index: 4,
      total: 9,
    });
    show(failed);
    expect(text.out).toBe(
      "matrix: [4/9] command register the ACME account: $ dehydrated --register\n",
    );
    expect(text.err).toContain(
      "Apply failed on matrix at command register the ACME account: $ dehydrated --register (exit 1)\n",
    );
    expect(text.err).toContain("  dehydrated cannot reach the ACME directory");
    expect(text.err).toContain("  3 steps before it were applied and are kept.");
  });

  it("streams the same as events with --json: the failure is a diagnostic with the hint", () => {
    const { out, text } = captureOutput(true);
    const show = applyView(out, false);
    show(failed);
    show({
      type: "apply_result",
      changes: [account],
      result: { host: "other", ok: true, applied: 1 },
    });
    expect(text.err).toBe("");
    const [version, diagnostic, summary] = parseEvents(text.out);
    expect(version).toMatchObject({ type: "version", provision: "1.2.3" });
    expect(diagnostic).toMatchObject({
      "@level": "error",
      type: "diagnostic",
      host: "matrix",
      diagnostic: { severity: "error" },
    });
    expect(JSON.stringify(diagnostic)).toContain("cannot reach the ACME directory");
    expect(summary).toMatchObject({
      type: "change_summary",
      host: "other",
      changes: { add: 1, change: 0, remove: 0, operation: "apply" },
    });
  });
});

describe("ACME hints in every view that meets dehydrated's output", () => {
  it("renew-certs: a failed renewal says what to do, as text or as a diagnostic", () => {
    const result = {
      host: "matrix",
      ok: false,
      renewed: false,
      serial: undefined,
      notAfter: undefined,
      output: unreachable,
    };
    const human = captureOutput(false);
    renewView(human.out)({ type: "renew_result", result });
    expect(human.text.err).toContain("matrix: renewal failed\n");
    expect(human.text.err).toContain("  dehydrated cannot reach the ACME directory");
    const json = captureOutput(true);
    renewView(json.out)({ type: "renew_result", result });
    const [, renew, diagnostic] = parseEvents(json.text.out);
    expect(renew).toEqual({
      "@level": "error",
      "@message": "matrix: renewal failed",
      type: "renew_result",
      host: "matrix",
      ok: false,
      renewed: false,
      serial: null,
      not_after: null,
    });
    expect(JSON.stringify(diagnostic)).toContain("cannot reach the ACME directory");
  });

  it("plan: a certificate note carrying an ACME failure comes with its hint", () => {
    const note = `certificate matrix.example.org: last renewal failed: ${unreachable}`;
    const hs = {
      host: { name: "matrix" },
      plan: {
        host: "matrix",
        address: "203.0.113.10",
        system: "FreeBSD 14.3",
        changes: [],
        diagnostics: [],
        notes: [note],
      },
    } as unknown as HostSession;
    const human = captureOutput(false);
    renderPlan(human.out, { hosts: [hs], diagnostics: [] });
    expect(human.text.out).toContain(`  ${note}\n    dehydrated cannot reach the ACME directory`);
    const json = captureOutput(true);
    renderPlan(json.out, { hosts: [hs], diagnostics: [] });
    expect(parseEvents(json.text.out).find((e) => e.type === "note")).toMatchObject({
      note,
      hint: expect.stringContaining("cannot reach the ACME directory"),
    });
  });
});
