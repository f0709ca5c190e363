// Every secret value loaded in this process is registered here, and every line the CLI prints
// goes through redact(): a secret can only reach output if it was never loaded.
const values = new Set<string>();

export const REDACTED = "(sensitive value)";

export function registerSecret(value: string): void {
  // Very short values would redact ordinary words; the store only holds generated or user secrets.
  if (value.length >= 4) values.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
  return out;
}

export function knownSecretCount(): number {
  return values.size;
}
