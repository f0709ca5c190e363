// A long step shows that it is alive: heartbeat events with the elapsed time and the last line
// it printed, and no fixed time limit (only a limit on silence).
import { describe, expect, it } from "vitest";
import { type ApplyEvent, applyPlan, STEP_IDLE_TIMEOUT_MS } from "../../src/apply/execute.js";
import { progressLines, progressText } from "../../src/apply/progress.js";
import { lastLineTracker } from "../../src/connector/last-line.js";
import type { Connector, ExecOptions } from "../../src/connector/types.js";
import type { HostPlan } from "../../src/plan/build.js";
import type { Change } from "../../src/resources/types.js";

const change: Change = {
  address: "pip matrix-synapse==1.157.0",
  type: "pip",
  name: "matrix-synapse==1.157.0",
  recipe: "synapse",
  action: "create",
  summary: "install",
  steps: [{ kind: "exec", description: "pip install", script: "pip install" }],
  notify: [],
};
const plan = { host: "m", changes: [change] } as unknown as HostPlan;

/** A connector whose command prints the given lines, one every `every` ms. */
function slowConnector(lines: string[], every: number): Connector & { opts?: ExecOptions } {
  const c: Connector & { opts?: ExecOptions } = {
    name: "m",
    roundTrips: 0,
    close: async () => undefined,
    exec: async (_script, opts) => {
      c.opts ??= opts;
      for (const l of lines) {
        await new Promise((r) => setTimeout(r, every));
        opts?.onOutput?.(l);
      }
      return { code: 0, stdout: lines.join("\n"), stderr: "" };
    },
  };
  return c;
}

describe("apply progress", () => {
  it("emits heartbeats during a step with the elapsed time and the last output line", async () => {
    const events: ApplyEvent[] = [];
    const conn = slowConnector(["Collecting matrix-synapse", "Building wheel for pynacl"], 60);
    const r = await applyPlan(conn, plan, (e) => events.push(e), {
      heartbeatMs: 25,
      stepPrefix: "",
    });
    expect(r.ok).toBe(true);
    const beats = events.filter((e) => e.type === "apply_progress");
    expect(beats.length).toBeGreaterThanOrEqual(3);
    const last = beats.at(-1);
    expect(last?.type === "apply_progress" && last.lastLine).toBe("Collecting matrix-synapse");
    expect(events.at(-1)?.type).toBe("apply_complete");
    // No heartbeat after the step ended.
    const n = events.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(events.length).toBe(n);
  });

  it("sets no fixed timeout on a step, only one on silence", async () => {
    const conn = slowConnector([], 0);
    await applyPlan(conn, plan, () => undefined, { stepPrefix: "" });
    expect(conn.opts?.timeoutMs).toBeUndefined();
    expect(conn.opts?.idleTimeoutMs).toBe(STEP_IDLE_TIMEOUT_MS);
  });

  it("prints elapsed minutes and the (shortened) last line", () => {
    const text = progressText({
      type: "apply_progress",
      host: "m",
      change,
      step: change.steps[0] as Change["steps"][number],
      elapsedMs: 754_000,
      lastLine: `Building wheel for cryptography (pyproject.toml): ${"x".repeat(200)}`,
    });
    expect(text).toMatch(/^m: {3}still running after 12 min 34 s: Building wheel for cryptography/);
    expect(text.endsWith("...")).toBe(true);
  });
});

describe("progress lines in human output", () => {
  it("prints at most one line per host every 30 s of a step, counting again for the next step", () => {
    const step = change.steps[0] as Change["steps"][number];
    const beat = (host: string, s: number) =>
      ({ type: "apply_progress", host, change, step, elapsedMs: s * 1000 }) as const;
    const lines = progressLines(30_000);
    const printed = [
      beat("a", 5),
      beat("a", 30),
      beat("b", 30),
      beat("a", 35),
      beat("a", 60),
      { type: "apply_start", host: "a", change, step, index: 2, total: 2 } as const,
      beat("a", 10),
      beat("a", 31),
    ].map((e) => lines(e));
    expect(printed.map((p) => p?.replace(/ after .*/, ""))).toEqual([
      undefined,
      "a:   still running",
      "b:   still running",
      undefined,
      "a:   still running",
      undefined,
      undefined,
      "a:   still running",
    ]);
  });
});

describe("last output line", () => {
  it("reports the newest complete non-empty line, across chunks and split characters", () => {
    const seen: string[] = [];
    const feed = lastLineTracker((l) => seen.push(l));
    feed(Buffer.from("Collecting a\nBuilding wh"), "out");
    feed(Buffer.from("eel for b\n\n"), "out");
    const euro = Buffer.from("cost €\n");
    feed(euro.subarray(0, 6), "err");
    feed(euro.subarray(6), "err");
    feed(Buffer.from("progress 10%\rprogress 20%\r"), "out");
    expect(seen).toEqual(["Collecting a", "Building wheel for b", "cost €", "progress 20%"]);
  });
});
