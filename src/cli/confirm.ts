import { createInterface } from "node:readline/promises";
import { UserError } from "../errors.js";

/**
 * Asks before something that changes hosts. Only the word "yes" continues (as Terraform asks);
 * without a terminal the command stops and says to review, then pass --yes.
 */
export async function confirm(
  question: string,
  opts: { yes?: boolean; command: string },
): Promise<boolean> {
  if (opts.yes) return true;
  if (!process.stdin.isTTY) {
    throw new UserError(
      `${opts.command} asks for confirmation, but standard input is not a terminal`,
      {
        hint: "Review what it will do above, then run again with --yes.",
      },
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} Only 'yes' continues: `);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}
