import { redact, redactValue } from "../secrets/redact.js";
import { escapeJsonControls, escapeTerminal } from "../util/text.js";

export interface OutputOptions {
  json: boolean;
  /** Colour on standard output. */
  color: boolean;
  /** Colour on standard error, decided by its own terminal check (defaults to `color`). */
  colorErr?: boolean;
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
    this.out.write(`${this.forStream(text, this.options.color)}\n`);
  }

  error(text: string): void {
    this.err.write(`${this.forStream(text, this.options.colorErr ?? this.options.color)}\n`);
  }

  /**
   * Redacted, control characters made visible; colour kept only where the stream shows it.
   * When just the other stream shows colour, paint() painted: this one drops the colour codes.
   */
  private forStream(text: string, color: boolean): string {
    const paintedForOther = !color && (this.options.color || this.options.colorErr === true);
    return escapeTerminal(redact(paintedForOther ? plain(text) : text), color);
  }

  /** A terminal control sequence of provision's own (a live view moving the cursor), as is. */
  control(sequence: string): void {
    this.out.write(sequence);
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
    // Painted when either stream shows colour; each stream drops what it does not show.
    if (!this.options.color && !this.options.colorErr) return text;
    const codes = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2, cyan: 36 } as const;
    return `\u001b[${codes[code]}m${text}\u001b[0m`;
  }

  private write(value: unknown): void {
    // Redact the strings, then serialise: a secret holding `"` or `\` is escaped differently in JSON.
    this.out.write(`${escapeJsonControls(JSON.stringify(redactValue(value)))}\n`);
  }
}

// The colour codes paint() writes.
const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** Text without colour codes. */
export function plain(text: string): string {
  return text.replace(SGR, "");
}

/**
 * Colour for one stream: never with --no-color or NO_COLOR (no-color.org); always with
 * FORCE_COLOR (other than 0/false); otherwise when that stream is a terminal.
 */
export function colorWanted(
  flag: boolean | undefined,
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !["0", "false"].includes(force);
  return stream.isTTY === true;
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
