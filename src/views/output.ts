import { redact, redactValue } from "../secrets/redact.js";
import { escapeJsonControls, escapeTerminal } from "../util/text.js";

export interface OutputOptions {
  json: boolean;
  color: boolean;
}

/**
 * Every byte the CLI prints passes through here, so secrets are redacted in one place, and
 * control characters (a host's output may hold terminal escape sequences) are made visible.
 */
export class Output {
  constructor(
    readonly options: OutputOptions,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  line(text = ""): void {
    this.out.write(`${escapeTerminal(redact(text), this.options.color)}\n`);
  }

  error(text: string): void {
    this.err.write(`${escapeTerminal(redact(text), this.options.color)}\n`);
  }

  json(value: unknown): void {
    // Redact the strings, then serialise: a secret holding `"` or `\` is escaped differently in JSON.
    this.out.write(`${escapeJsonControls(JSON.stringify(redactValue(value)))}\n`);
  }

  paint(code: "red" | "green" | "yellow" | "bold" | "dim" | "cyan", text: string): string {
    if (!this.options.color) return text;
    const codes = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2, cyan: 36 } as const;
    return `\u001b[${codes[code]}m${text}\u001b[0m`;
  }
}

/** Colour only on a terminal, never with NO_COLOR (no-color.org) or --no-color. */
export function colorWanted(
  flag: boolean | undefined,
  stream: NodeJS.WriteStream = process.stdout,
): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  return Boolean(stream.isTTY);
}
