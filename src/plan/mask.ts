// A diff of a file that holds secrets, with the secrets masked on both sides: the planned content
// masks every loaded secret value; the current content (which may hold values no longer in the
// store) masks whatever stands where the planned file has a secret (same text before it on the
// line), and the value of any setting named like a secret.
export const MASK = "(secret)";
export const OLD_MASK = "(previous secret)";

const SECRET_SETTING =
  /^(\s*[A-Za-z0-9_.-]*(?:secret|pass|token|private)[A-Za-z0-9_.-]*\s*[:=]\s*)(\S.*)$/i;

interface Slot {
  value: string;
  suffix: string;
}

/**
 * Both sides masked, and the settings whose secret value changes (named by the text before the
 * value, e.g. form_secret); undefined when a secret cannot be told apart from its line (a key file).
 */
export function maskSecrets(
  current: string,
  planned: string,
  secrets: readonly string[],
): { current: string; planned: string; changed: string[] } | undefined {
  const bySize = [...secrets].filter((s) => s !== "").sort((a, b) => b.length - a.length);
  const slots = new Map<string, Slot>();
  const plannedLines: string[] = [];
  for (const line of planned.split("\n")) {
    let masked = line;
    for (const s of bySize) {
      const at = masked.indexOf(s);
      if (at === -1) continue;
      const prefix = masked.slice(0, at);
      if (prefix.trim() === "") return undefined;
      slots.set(prefix, { value: s, suffix: masked.slice(at + s.length) });
      masked = masked.split(s).join(MASK);
    }
    plannedLines.push(maskSetting(masked, MASK));
  }
  const changed = new Set<string>();
  const currentLines = current.split("\n").map((line) => {
    let masked = line;
    for (const s of bySize) masked = masked.split(s).join(MASK);
    for (const [prefix, slot] of slots) {
      if (!masked.startsWith(prefix) || masked === `${prefix}${MASK}${slot.suffix}`) continue;
      const rest = masked.slice(prefix.length);
      const suffix = rest.endsWith(slot.suffix) ? slot.suffix : "";
      changed.add(prefix.trim().replace(/\s*[:=]\s*["']?$/, ""));
      return `${prefix}${OLD_MASK}${suffix}`;
    }
    return maskSetting(masked, OLD_MASK);
  });
  return {
    current: currentLines.join("\n"),
    planned: plannedLines.join("\n"),
    changed: [...changed],
  };
}

function maskSetting(line: string, mask: string): string {
  const m = SECRET_SETTING.exec(line);
  if (!m || (m[2] as string).includes(MASK) || (m[2] as string).includes(OLD_MASK)) return line;
  const quoted = /^(["'])(.*)\1(\s*)$/.exec(m[2] as string);
  return `${m[1]}${quoted ? `${quoted[1]}${mask}${quoted[1]}${quoted[3]}` : mask}`;
}
