// Every secret value loaded in this process is registered here, and everything the CLI prints
// goes through redact() or redactValue(): a secret can only reach output if it was never loaded.
// Values too short or too guessable to be redacted without mangling ordinary text are refused
// where they enter (weakSecretReason), so every registered value is safe to replace.
import { COMMON_WORDS } from "./common-words.js";

const values = new Set<string>();

export const REDACTED = "(sensitive value)";
export const MIN_SECRET_LENGTH = 8;

/** Why a value cannot serve as a secret (it would be guessed, or redacting it would hide ordinary words), or undefined. */
export function weakSecretReason(value: string): string | undefined {
  if (value.length < MIN_SECRET_LENGTH) {
    return `it is shorter than ${MIN_SECRET_LENGTH} characters`;
  }
  const core = value.toLowerCase().replace(/^[^a-z]+|[^a-z]+$/g, "");
  if (COMMON_WORDS.has(core) && core.length >= value.length - 6) {
    return `it is a common word ('${core}' with only a few digits or signs around it)`;
  }
  if (/^(.)\1*$/.test(value)) return "it repeats one character";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value));
  if (classes.length === 1 && value.length < 16) {
    return "it uses one kind of character only (all lower-case, all digits...) and is shorter than 16 characters";
  }
  return undefined;
}

/** Registers a value for redaction; weak values are refused earlier, and never registered. */
export function registerSecret(value: string): void {
  if (weakSecretReason(value) === undefined) values.add(value);
}

export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const v of [...values].sort((a, b) => b.length - a.length)) {
    if (out.includes(v)) out = out.split(v).join(REDACTED);
  }
  return out;
}

/** A copy of a JSON-like value with every string (keys too) redacted, ready to serialise. */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === "function") return redactValue(json.call(value));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactValue(v)]));
  }
  return value;
}

/** Every registered value (to mask them in diffs). */
export function knownSecrets(): readonly string[] {
  return [...values];
}
