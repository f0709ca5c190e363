// What the secrets commands show: names, files and public keys, never a value.
import type { Output } from "./output.js";

export type SecretsEvent =
  | { type: "identity_created"; file: string; recipient: string }
  | { type: "store_unchanged"; store: string }
  | { type: "store_written"; store: string; created: boolean; added: string[] }
  | { type: "secret_missing"; name: string; path: string; host: string; inventory: string }
  | { type: "identity_reminder" }
  | {
      type: "secret_stored";
      name: string;
      host: string | undefined;
      store: string;
      /** It replaced a value the store held. */
      replaced?: boolean;
    }
  /** Anything else the secrets commands tell (replacements, recipients, reseals): names only. */
  | { type: "secrets_note"; lines: string[] };

export function secretsView(out: Output): (e: SecretsEvent) => void {
  return (e) => {
    const lines = text(e);
    if (!out.options.json) {
      for (const l of lines) out.line(l);
      return;
    }
    const { type, ...fields } = e;
    out.event("info", lines.join("\n"), type, snakeCase(fields));
  };
}

function text(e: SecretsEvent): string[] {
  switch (e.type) {
    case "identity_created":
      return [
        `Created age identity ${e.file} (public key ${e.recipient}). Back it up: without it the secrets cannot be read.`,
      ];
    case "store_unchanged":
      return [`Secrets store ${e.store} already holds every generated secret; nothing changed.`];
    case "store_written":
      return [
        `${e.created ? "Created" : "Updated"} secrets store ${e.store}; generated ${e.added.length} secret${e.added.length === 1 ? "" : "s"}:`,
        ...e.added.map((a) => `  + ${a}`),
      ];
    case "secret_missing":
      return [
        `Still missing: ${e.name} (referenced at ${e.path}); add it with \`provision secrets set ${e.name} --host ${e.host} -i ${e.inventory}\`.`,
      ];
    case "identity_reminder":
      return ["Keep the identity out of version control; the store itself may be committed."];
    case "secret_stored":
      return [
        `${e.replaced ? "Replaced" : "Stored"} ${e.name}${e.host ? ` for host ${e.host}` : " (shared)"} in ${e.store}.`,
      ];
    case "secrets_note":
      return e.lines;
  }
}

function snakeCase(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );
}

/** secrets list: one report (names per host and shared), a JSON document with --json. */
export function renderSecretNames(
  out: Output,
  names: { shared: string[]; hosts: Record<string, string[]> },
): void {
  if (out.options.json) {
    out.document({ format_version: "1.0", ...names });
    return;
  }
  for (const [h, list] of Object.entries(names.hosts)) out.line(`${h}: ${list.join(", ")}`);
  if (names.shared.length > 0) out.line(`shared: ${names.shared.join(", ")}`);
}
