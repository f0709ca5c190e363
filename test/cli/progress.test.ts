import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ApplyEvent } from "../../src/apply/execute.js";
import type { Change, Step } from "../../src/resources/types.js";
import { applyView, type HostOutcome, summaryTable } from "../../src/views/apply.js";
import { colorWanted, Output } from "../../src/views/output.js";
import { LiveBoard, liveWanted } from "../../src/views/progress.js";
import { captureOutput } from "./capture.js";

const step: Step = { kind: "exec", description: "install", script: "pkg install -y curl" };
const change = { address: "pkg curl", type: "pkg", steps: [step] } as unknown as Change;
const start = (host: string, index: number): ApplyEvent => ({
  type: "apply_start",
  host,
  change,
  step,
  index,
  total: 3,
});
const outcomes: HostOutcome[] = [
  { host: "matrix1", result: "converged", steps: 3, total: 3, ms: 12_340 },
  { host: "matrix20", result: "failed", steps: 1, total: 3, ms: 800, reason: "pkg curl (exit 3)" },
  {
    host: "m3",
    result: "skipped",
    steps: 0,
    total: 3,
    ms: 0,
    reason: "--fail-fast: another host failed",
  },
];

describe("apply progress, plain (CI, pipes)", () => {
  it("prints one line per step, and a heartbeat only after 30 s of silence", () => {
    const { out, text } = captureOutput(false);
    const show = applyView(out, false);
    show(start("matrix1", 1));
    show({ type: "apply_progress", host: "matrix1", change, step, elapsedMs: 5000 });
    expect(text.out).toBe("matrix1: [1/3] pkg curl: $ pkg install -y curl\n");
  });

  it("ends with a summary table: host, result, steps, time, why", () => {
    const { out } = captureOutput(false);
    expect(summaryTable(outcomes, out)).toEqual([
      "",
      "Summary: 1 converged, 1 failed, 1 skipped.",
      "  HOST      RESULT     STEPS  TIME",
      "  matrix1   converged  3/3    12.3 s",
      "  matrix20  failed     1/3    0.8 s   pkg curl (exit 3)",
      "  m3        skipped    0/3    0.0 s   --fail-fast: another host failed",
    ]);
  });

  it("--json: the summary is one apply_summary event, error level when a host failed", () => {
    const { out, text } = captureOutput(true);
    applyView(out, false)({ type: "apply_summary", hosts: outcomes });
    const [version, summary] = text.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(version.type).toBe("version");
    expect(summary).toMatchObject({
      "@level": "error",
      type: "apply_summary",
      hosts: [
        { host: "matrix1", result: "converged", steps: 3, total: 3, elapsed_ms: 12_340 },
        {},
        {},
      ],
    });
  });
});

describe("apply progress, live (a terminal)", () => {
  it("keeps one line per host with step i/N, elapsed time and a heartbeat for long steps", () => {
    let now = 1_000_000;
    const { out, text } = captureOutput(false);
    const board = new LiveBoard(
      out,
      () => 120,
      () => now,
    );
    board.step("matrix1", 2, 9, "pkg curl: $ pkg install -y curl");
    board.step("matrix10", 1, 9, "sysrc ntpd_enable: $ sysrc ntpd_enable=YES");
    now += 7000;
    board.heartbeat("matrix1", "pkg: fetching");
    board.finish("matrix10", true, "9/9 steps");
    board.stop();
    expect(board.lines()).toEqual([
      "matrix1   [2/9] 7.0 s - alive 0.0 s ago: pkg: fetching  pkg curl: $ pkg install -y curl",
      "matrix10  done in 7.0 s  9/9 steps",
    ]);
    // Each redraw moves up over the previous board and erases it: the lines stay in place.
    expect(text.out).toContain("\u001b[2F\u001b[J");
    expect(text.out.endsWith("matrix10  done in 7.0 s  9/9 steps\n")).toBe(true);
  });

  it("cuts lines to the terminal's width", () => {
    const { out } = captureOutput(false);
    const board = new LiveBoard(
      out,
      () => 40,
      () => 0,
    );
    board.step("matrix1", 1, 9, "x".repeat(100));
    board.stop();
    expect(board.lines()[0]).toHaveLength(39);
  });

  it("is live only on a terminal, outside CI, with a TERM that can redraw", () => {
    expect(liveWanted({ isTTY: true }, {})).toBe(true);
    expect(liveWanted({ isTTY: false }, {})).toBe(false);
    expect(liveWanted({ isTTY: true }, { CI: "true" })).toBe(false);
    expect(liveWanted({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});

describe("colour per stream", () => {
  it("follows each stream's own terminal, NO_COLOR, FORCE_COLOR and --no-color", () => {
    expect(colorWanted(undefined, { isTTY: true }, {})).toBe(true);
    expect(colorWanted(undefined, { isTTY: false }, {})).toBe(false);
    expect(colorWanted(undefined, { isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorWanted(undefined, { isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorWanted(undefined, { isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorWanted(false, { isTTY: true }, { FORCE_COLOR: "1" })).toBe(false);
  });

  it("paints standard error and not standard output when only stderr is a terminal", () => {
    const o = new PassThrough();
    const e = new PassThrough();
    const out = new Output({ json: false, color: false, colorErr: true, version: "1" }, o, e);
    out.line(out.paint("red", "to stdout"));
    out.error(out.paint("red", "to stderr"));
    expect(o.read().toString()).toBe("to stdout\n");
    expect(e.read().toString()).toBe("\u001b[31mto stderr\u001b[0m\n");
  });
});
