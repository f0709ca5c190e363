import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStore } from "../../src/secrets/store.js";
import { cli, onTerminal, ROOT } from "../helpers/cli.js";

describe("secrets typed at a terminal", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-prompt-"));
  const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
  copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));
  expect(cli(["secrets", "init", "-i", "inv.yaml"], { cwd: dir, env }).code).toBe(0);

  it("asks twice with a hidden prompt, stores the value and never shows it", async () => {
    const value = "typed-at-the-terminal-7c1e";
    const r = onTerminal(
      ["secrets", "set", "smtp_password", "-i", "inv.yaml"],
      [
        ["Enter the value of smtp_password: ", `${value}\r`],
        ["Repeat the value of smtp_password: ", `${value}\r`],
      ],
      dir,
      env,
    );
    expect(r.screen).not.toContain(value);
    expect(r.code).toBe(0);
    const { readFileSync } = await import("node:fs");
    const identity = readFileSync(join(dir, "id.txt"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("AGE-SECRET-KEY-"));
    const store = await readStore(join(dir, "inv.secrets.age"), identity);
    expect(store.state === "open" && store.data.shared.smtp_password).toBe(value);
  });

  it("refuses two different entries and changes nothing", () => {
    const r = onTerminal(
      ["secrets", "set", "other_password", "-i", "inv.yaml"],
      [
        ["Enter the value of other_password: ", "first-value-1234\r"],
        ["Repeat the value of other_password: ", "second-value-1234\r"],
      ],
      dir,
      env,
    );
    expect(r.code).toBe(1);
    expect(r.screen).toContain("the two entries differ; nothing was changed");
    const list = cli(["secrets", "list", "-i", "inv.yaml", "--json"], { cwd: dir, env });
    expect(JSON.parse(list.stdout).shared).not.toContain("other_password");
  });
});
