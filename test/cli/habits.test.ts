import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";

describe("habits from Ansible and Terraform get a pointer", () => {
  it.each([
    [
      ["apply", "--check"],
      "provision has no --check option",
      "Use `provision plan`: it shows what would change without changing anything (Ansible's --check).",
    ],
    [
      ["apply", "--dry-run"],
      "provision has no --dry-run option",
      "Use `provision plan`: it shows what would change without changing anything.",
    ],
    [
      ["plan", "--target=matrix"],
      "provision has no --target option",
      "Use `--limit PATTERN`: it selects hosts and groups",
    ],
    [
      ["apply", "-auto-approve"],
      "provision has no -auto-approve option",
      "Use `--yes`: it applies without asking",
    ],
  ])("%j", (args, message, hint) => {
    const r = cli([...args, "-i", "inventory.example.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${message}`);
    expect(r.stderr).toContain(hint);
    expect(r.stderr).not.toContain("    at ");
  });
});
