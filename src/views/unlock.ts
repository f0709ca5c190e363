import type { Output } from "./output.js";

export type UnlockEvent =
  | { type: "lock_absent"; host: string }
  | { type: "lock_removed"; host: string; details: string };

export function unlockView(out: Output): (e: UnlockEvent) => void {
  return (e) => {
    const text =
      e.type === "lock_absent"
        ? `${e.host}: not locked.`
        : `${e.host}: removed a stale apply lock (${e.details || "owner unknown"}).`;
    if (out.options.json)
      out.event("info", text, e.type, {
        host: e.host,
        ...(e.type === "lock_removed" ? { details: e.details } : {}),
      });
    else out.line(text);
  };
}
