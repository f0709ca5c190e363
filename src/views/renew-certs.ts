// What renew-certs shows: per host whether the certificate was renewed, and which one is
// deployed; a failure comes with dehydrated's last lines and what to do about it.
import { acmeHint } from "./acme-hints.js";
import { diagnosticEvent } from "./diagnostics.js";
import type { Output } from "./output.js";

export interface RenewResult {
  host: string;
  ok: boolean;
  /** dehydrated issued a new certificate (and its hook deployed it). */
  renewed: boolean;
  serial: string | undefined;
  notAfter: string | undefined;
  /** dehydrated's output, for a failure. */
  output: string;
  /** The host could not be reached or refused (not FreeBSD): nothing ran on it. */
  error?: { message: string; hint?: string };
}

export type RenewEvent = { type: "renew_result"; result: RenewResult };

export function renewView(out: Output): (e: RenewEvent) => void {
  return out.options.json ? (e) => renewJson(out, e.result) : (e) => renewHuman(out, e.result);
}

function renewHuman(out: Output, r: RenewResult): void {
  if (r.error) {
    out.error(`error: ${r.error.message}`);
    if (r.error.hint) out.error(`  ${r.error.hint}`);
    return;
  }
  if (!r.ok) {
    out.error(`${r.host}: renewal failed`);
    for (const l of failureDetail(r)) out.error(`  ${l}`);
    return;
  }
  out.line(
    `${r.host}: ${r.renewed ? "renewed and deployed" : "not due, kept"}: serial ${r.serial ?? "?"}, valid until ${r.notAfter ?? "?"}`,
  );
}

function renewJson(out: Output, r: RenewResult): void {
  const message = r.ok
    ? `${r.host}: ${r.renewed ? "renewed and deployed" : "not due, kept"}`
    : `${r.host}: renewal failed`;
  out.event(r.ok ? "info" : "error", message, "renew_result", {
    host: r.host,
    ok: r.ok,
    renewed: r.renewed,
    serial: r.serial ?? null,
    not_after: r.notAfter ?? null,
  });
  if (!r.ok)
    diagnosticEvent(
      out,
      { severity: "error", summary: message, detail: failureDetail(r).join("\n") },
      r.host,
    );
}

function failureDetail(r: RenewResult): string[] {
  if (r.error) return [r.error.message, ...(r.error.hint ? [r.error.hint] : [])];
  const lines = r.output.trim().split("\n").slice(-12);
  const hint = acmeHint(r.output);
  if (hint) lines.push(hint);
  return lines;
}
