/** The first control character (C0 or DEL) in a string, if any: such values never belong in config lines. */
export function firstControlChar(s: string): string | undefined {
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return ch;
  }
  return undefined;
}

export function describeControlChar(ch: string): string {
  if (ch === "\n" || ch === "\r") return "a line break";
  if (ch === "\t") return "a tab";
  return `control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`;
}
