/**
 * The first character that never belongs in a one-line config value: C0 controls, DEL, C1
 * controls (PyYAML, which reads homeserver.yaml, refuses them), U+2028/U+2029 (line breaks for
 * YAML 1.1 and JavaScript), U+FEFF, the non-characters U+FFFE/U+FFFF and lone surrogates.
 */
export function firstControlChar(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        i++;
        continue;
      }
      return s[i];
    }
    if (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x2028 ||
      code === 0x2029 ||
      code === 0xfeff ||
      code === 0xfffe ||
      code === 0xffff ||
      (code >= 0xdc00 && code <= 0xdfff)
    ) {
      return s[i];
    }
  }
  return undefined;
}

export function describeControlChar(ch: string): string {
  if (ch === "\n" || ch === "\r") return "a line break";
  if (ch === "\t") return "a tab";
  const hex = ch.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase();
  if (ch === "\u2028" || ch === "\u2029") return `a Unicode line or paragraph separator U+${hex}`;
  return `control character U+${hex}`;
}

// C0 (but newline and tab), DEL, C1, and the Unicode line separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what is escaped
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: SGR colour sequences only
const SGR = /\u001b\[[0-9;]*m/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Text made safe for a terminal: every control character except newline and tab (so escape
 * sequences a remote host printed, too) becomes a visible \xNN or \uNNNN. With `keepColour`,
 * SGR colour sequences stay: they cannot move the cursor, retitle or query the terminal.
 */
export function escapeTerminal(s: string, keepColour = false): string {
  if (!keepColour) return s.replace(TERMINAL_CONTROL, visible);
  let out = "";
  let last = 0;
  for (const m of s.matchAll(SGR)) {
    out += s.slice(last, m.index).replace(TERMINAL_CONTROL, visible) + m[0];
    last = m.index + m[0].length;
  }
  return out + s.slice(last).replace(TERMINAL_CONTROL, visible);
}

/** JSON text with C1 controls and U+2028/U+2029 written as \u escapes (JSON.stringify keeps them raw). */
export function escapeJsonControls(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
