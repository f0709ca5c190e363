import { UserError } from "../errors.js";

/**
 * A sensitive value from standard input (piped, so it never lands on a command line or in
 * shell history); one trailing newline is dropped.
 */
export async function readSensitiveStdin(what: string, example: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UserError(`${what} is read from standard input, which is a terminal`, {
      hint: `Pipe it in, e.g. \`${example}\`, so it never lands in shell history.`,
    });
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
