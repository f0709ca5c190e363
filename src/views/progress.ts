// Live progress on a terminal: one line per host (step i/N, what it does, elapsed time, a
// heartbeat while a step runs long), redrawn in place; anything else is printed above it.
import type { Output } from "./output.js";

interface Row {
  host: string;
  text: string;
  index: number;
  total: number;
  /** When the host's current step (or its end) began. */
  since: number;
  /** When the host started. */
  started: number;
  /** The last sign of life from a long step (a heartbeat or its output). */
  beat?: { at: number; note: string };
  state: "running" | "done" | "failed";
}

const SPIN = ["-", "\\", "|", "/"];

export class LiveBoard {
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: Output,
    private readonly columns: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  step(host: string, index: number, total: number, text: string): void {
    const t = this.now();
    const row = this.rows.get(host);
    this.rows.set(host, {
      host,
      text,
      index,
      total,
      since: t,
      started: row?.started ?? t,
      state: "running",
    });
    this.start();
    this.draw();
  }

  /** A heartbeat (or output) from the host's running step. */
  heartbeat(host: string, note = ""): void {
    const row = this.rows.get(host);
    if (!row) return;
    row.beat = { at: this.now(), note };
    this.draw();
  }

  finish(host: string, ok: boolean, text: string): void {
    const row = this.rows.get(host);
    if (!row) return;
    Object.assign(row, { state: ok ? "done" : "failed", text, since: this.now() });
    this.draw();
  }

  /** Prints other output above the board, which is drawn again below it. */
  above(print: () => void): void {
    this.clear();
    print();
    this.draw();
  }

  /** Leaves the last state on the screen and stops redrawing. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.drawn = 0;
  }

  lines(): string[] {
    const width = Math.max(this.columns(), 40);
    const name = Math.max(...[...this.rows.keys()].map((h) => h.length));
    const t = this.now();
    return [...this.rows.values()].map((r) => {
      const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      let tail: string;
      if (r.state === "running") {
        const beat =
          r.beat && t - r.since > 5000
            ? ` ${SPIN[this.ticks % SPIN.length]} alive ${secs(t - r.beat.at)} ago${r.beat.note ? `: ${r.beat.note}` : ""}`
            : "";
        tail = `[${r.index}/${r.total}] ${secs(t - r.since)}${beat}  ${r.text}`;
      } else
        tail = `${r.state === "done" ? "done" : "FAILED"} in ${secs(t - r.started)}  ${r.text}`;
      const line = `${r.host.padEnd(name)}  ${tail}`;
      return line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
    });
  }

  private start(): void {
    if (this.timer) return;
    // Elapsed times and the heartbeat move even while no event comes.
    this.timer = setInterval(() => {
      this.ticks++;
      this.draw();
    }, 1000);
    this.timer.unref();
  }

  private clear(): void {
    // Up to the board's first line, then erase to the end of the screen.
    if (this.drawn > 0) this.out.control(`\u001b[${this.drawn}F\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.clear();
    const lines = this.lines();
    for (const l of lines) this.out.line(l);
    this.drawn = lines.length;
  }
}

/** Live lines only on a terminal that can redraw, and not in CI (its logs keep every byte). */
export function liveWanted(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false";
  return stream.isTTY === true && !ci && env.TERM !== "dumb";
}
