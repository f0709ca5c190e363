import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { registerSecret } from "../../src/secrets/redact.js";
import { renderInternalError, renderStop } from "../../src/views/errors.js";
import { captureOutput, parseEvents } from "./capture.js";

describe("the error policy's view", () => {
  const stop = new UserError("inventory inv.yaml is invalid", {
    hint: "Fix it.",
    diagnostics: [{ severity: "error", summary: "bad port", path: "all.vars.ssh.port" }],
  });

  it("prints a stop on standard error: its diagnostics, the message, what to do", () => {
    const { out, text } = captureOutput(false, "9.9.9");
    renderStop(out, stop);
    expect(text.out).toBe("");
    expect(text.err).toBe("error: bad port\nerror: inventory inv.yaml is invalid\n  Fix it.\n");
  });

  it("turns a stop into diagnostic events on standard output with --json", () => {
    const { out, text } = captureOutput(true, "9.9.9");
    renderStop(out, stop);
    expect(text.err).toBe("");
    const events = parseEvents(text.out);
    expect(events[0]).toMatchObject({ type: "version", provision: "9.9.9" });
    expect(events.slice(1)).toEqual([
      {
        "@level": "error",
        "@message": "bad port",
        type: "diagnostic",
        diagnostic: {
          severity: "error",
          summary: "bad port",
          detail: "",
          path: "all.vars.ssh.port",
        },
      },
      {
        "@level": "error",
        "@message": "inventory inv.yaml is invalid",
        type: "diagnostic",
        diagnostic: {
          severity: "error",
          summary: "inventory inv.yaml is invalid",
          detail: "Fix it.",
        },
      },
    ]);
  });

  it("reports an internal error as a diagnostic with --json, its stack only with --debug", () => {
    registerSecret("canary-6a1d-internal");
    const bug = new Error("boom near canary-6a1d-internal");
    const plain = captureOutput(true, "9.9.9");
    renderInternalError(plain.out, bug, false);
    const [, event] = parseEvents(plain.text.out);
    expect(event).toMatchObject({
      "@level": "error",
      type: "diagnostic",
      diagnostic: {
        summary: "internal error: boom near (sensitive value)",
        detail: "This is a bug in provision; run again with --debug for the stack trace.",
      },
    });
    const debug = captureOutput(true, "9.9.9");
    renderInternalError(debug.out, bug, true);
    expect(JSON.stringify(parseEvents(debug.text.out)[1])).toMatch(/error-view\.test\.ts/);
    const human = captureOutput(false, "9.9.9");
    renderInternalError(human.out, bug, false);
    expect(human.text.err).toBe(
      "internal error: boom near (sensitive value)\n  This is a bug in provision; run again with --debug for the stack trace.\n",
    );
    expect(human.text.out).toBe("");
  });
});
