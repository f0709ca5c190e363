import { UserError } from "../errors.js";

export interface SensitiveInput {
  /** What is asked for, e.g. "the password for @alice". */
  what: string;
  /** A new value (a password being set): asked twice on a terminal, as ansible-vault does. */
  repeat?: boolean;
}

/**
 * A sensitive value: typed at a hidden prompt when standard input is a terminal, else read
 * from standard input (piped, so it never lands on a command line or in shell history); one
 * trailing newline is dropped.
 */
export async function readSensitive(input: SensitiveInput): Promise<string> {
  if (!process.stdin.isTTY) return readAllStdin();
  const first = await promptHidden(`Enter ${input.what}: `);
  if (input.repeat) {
    const second = await promptHidden(`Repeat ${input.what}: `);
    if (first !== second)
      throw new UserError("the two entries differ; nothing was changed", {
        hint: "Run the command again and type the same value twice.",
      });
  }
  return first;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Reads one line with echo off (raw mode), the prompt on stderr so stdout stays clean. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the prompt shows, so even a value typed ahead is never displayed.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          finish();
          resolve(value);
          return;
        }
        if (ch === "\u0003" || (ch === "\u0004" && value === "")) {
          // Ctrl-C, or Ctrl-D on an empty line: give up without changing anything.
          finish();
          reject(new UserError("cancelled; nothing was changed"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch === "\u0015")
          value = ""; // Ctrl-U erases the line, as at a shell prompt
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
