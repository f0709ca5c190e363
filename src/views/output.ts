import { redact, redactValue } from "../secrets/redact.js";
import { escapeJsonControls, escapeTerminal } from "../util/text.js";

export interface OutputOptions {
  json: boolean;
  color: boolean;
  /** provision's version, announced by the first event of every --json stream. */
  version: string;
}

export type Level = "info" | "warning" | "error";

/**
 * Every byte the CLI prints passes through here, so secrets are redacted in one place, and
 * control characters (a host's output may hold terminal escape sequences) are made visible.
 */
export class Output {
  private streaming = false;

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

  /**
   * One event of the --json stream (NDJSON on standard output). The stream is the same for
   * every command: a `version` event first, then typed events `{@level, @message, type, ...}`.
   */
  event(level: Level, message: string, type: string, fields: Record<string, unknown> = {}): void {
    if (!this.streaming) {
      this.streaming = true;
      const v = this.options.version;
      this.write({
        "@level": "info",
        "@message": `provision ${v}`,
        type: "version",
        format_version: "1.0",
        provision: v,
      });
    }
    this.write({ "@level": level, "@message": message, type, ...fields });
  }

  /** One JSON document instead of a stream: the reports of validate and secrets list. */
  document(value: unknown): void {
    this.write(value);
  }

  paint(code: "red" | "green" | "yellow" | "bold" | "dim" | "cyan", text: string): string {
    if (!this.options.color) return text;
    const codes = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2, cyan: 36 } as const;
    return `\u001b[${codes[code]}m${text}\u001b[0m`;
  }

  private write(value: unknown): void {
    // Redact the strings, then serialise: a secret holding `"` or `\` is escaped differently in JSON.
    this.out.write(`${escapeJsonControls(JSON.stringify(redactValue(value)))}\n`);
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

/**
 * A reader that goes away (`provision plan | head -1`) closes the pipe: later writes fail with
 * EPIPE. The output is unwanted then, not an error: drop it and let the command finish (an
 * apply must not stop halfway, holding its lock) with its own exit code.
 */
export function dropOutputOnClosedPipe(stream: NodeJS.WritableStream): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
  });
}
