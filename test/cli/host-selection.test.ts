import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT } from "../helpers/cli.js";

describe("host selection", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-hosts-cli-"));
  const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
  copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));
  const run = (args: string[], input = "") =>
    cli([...args, "-i", "inv.yaml"], { cwd: dir, env, input });

  it("every command refuses an unknown host the same way, before contacting anything", () => {
    expect(run(["secrets", "init"]).code).toBe(0);
    const commands = [
      ["plan", "--assume-fresh"],
      ["plan"],
      ["apply", "--yes"],
      ["render", "--out", "out"],
      ["renew-certs"],
      ["register-user", "--user", "alice"],
      ["secrets", "set", "smtp_password"],
    ];
    for (const c of commands) {
      // The example inventory's host is "matrix": a near miss gets a suggestion.
      const r = run([...c, "--host", "matrx"], "a-value-long-enough");
      expect(r.code, c.join(" ")).toBe(1);
      expect(r.stderr, c.join(" ")).toBe(
        "error: no host 'matrx' in inv.yaml\n  Did you mean 'matrix'? Hosts: matrix\n",
      );
      expect(r.stdout, c.join(" ")).toBe("");
    }
  });
});
