// How a running step shows that it is alive: elapsed time and the last line it printed.
import type { ApplyEvent } from "./execute.js";

/** Human output prints a progress line at most this often per host. */
export const PROGRESS_EVERY_MS = 30_000;

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

export function progressText(e: Extract<ApplyEvent, { type: "apply_progress" }>): string {
  const last = e.lastLine
    ? `: ${e.lastLine.length > 120 ? `${e.lastLine.slice(0, 117)}...` : e.lastLine}`
    : "";
  return `${e.host}:   still running after ${duration(e.elapsedMs)}${last}`;
}

/**
 * Which progress events become a printed line: at most one per host every `everyMs` of a
 * step's run time; a new step starts the count again.
 */
export function progressLines(everyMs: number): (e: ApplyEvent) => string | undefined {
  const shown = new Map<string, number>();
  return (e) => {
    if (e.type === "apply_start") shown.delete(e.host);
    if (e.type !== "apply_progress") return undefined;
    if (e.elapsedMs - (shown.get(e.host) ?? 0) < everyMs) return undefined;
    shown.set(e.host, e.elapsedMs);
    return progressText(e);
  };
}
