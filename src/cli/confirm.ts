import { createInterface } from "node:readline/promises";
import { UserError } from "../errors.js";

export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * Asks before something that changes hosts. Only the word "yes" continues (as Terraform asks);
 * without a terminal the command stops and says to review, then pass --yes. The question goes
 * to standard error, so standard output stays the command's (and --json's) own.
 */
export async function confirm(
  question: string,
  opts: { yes?: boolean | undefined; command: string },
  terminal: Terminal = { input: process.stdin, output: process.stderr },
): Promise<boolean> {
  if (opts.yes) return true;
  if (!terminal.input.isTTY) {
    throw new UserError(
      `${opts.command} asks for confirmation, but standard input is not a terminal`,
      {
        hint: "Review what it will do above, then run again with --yes.",
      },
    );
  }
  const rl = createInterface({ input: terminal.input, output: terminal.output });
  try {
    const answer = await rl.question(`${question} Only 'yes' continues: `);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}
