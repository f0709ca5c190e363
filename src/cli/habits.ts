import { UserError } from "../errors.js";

/** Flags users bring from Ansible and Terraform, and what provision does instead. */
const PLAN = "`provision plan`: it shows what would change without changing anything";
const HABITS: Record<string, string> = {
  "--check": `${PLAN} (Ansible's --check)`,
  "--dry-run": PLAN,
  "--diff": "`provision plan`: it always shows file diffs (secrets masked)",
  "--target":
    "`--limit PATTERN`: it selects hosts and groups (Terraform's -target, Ansible's --limit)",
  "-target": "`--limit PATTERN`: it selects hosts and groups (Terraform's -target)",
  "--auto-approve": "`--yes`: it applies without asking (Terraform's -auto-approve)",
  "-auto-approve": "`--yes`: it applies without asking (Terraform's -auto-approve)",
};

/** A pointer for a habit from another tool, before commander calls it an unknown option. */
export function habitError(argv: readonly string[]): UserError | undefined {
  for (const a of argv) {
    if (a === "--") return undefined;
    const flag = a.split("=")[0] as string;
    const pointer = HABITS[flag];
    if (pointer)
      return new UserError(`provision has no ${flag} option`, { hint: `Use ${pointer}.` });
  }
  return undefined;
}
