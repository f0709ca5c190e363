// docs/first-hour.md, walked as a newcomer would: every command of its shell blocks runs, in
// order, in a copy of the project, and each must succeed. The page cannot drift from the tool.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const PAGE = join(ROOT, "docs/first-hour.md");

/** Each line of each ```sh block, in page order. */
function pageCommands(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (m[1] as string).split("\n")) if (line.trim()) out.push(line.trim());
  }
  return out;
}

/**
 * A copy of the project to walk the page in: sources copied (the page's commands build and
 * write files), node_modules shared read-only, the reference material beside it as in a clone.
 */
function projectCopy(): { dir: string; home: string } {
  const base = mkdtempSync(join(tmpdir(), "provision-first-hour-"));
  const dir = join(base, "provision");
  for (const f of [
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "inventory.example.yaml",
    "bin",
    "src",
    "scripts",
    "recipes",
    "templates",
    "schema",
    "testhost",
    "dist",
  ])
    cpSync(join(ROOT, f), join(dir, f), { recursive: true, verbatimSymlinks: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  if (existsSync(join(ROOT, "../shared")))
    symlinkSync(join(ROOT, "../shared"), join(base, "shared"));
  return { dir, home: join(base, "home") };
}

describe("docs/first-hour.md", { timeout: 600_000 }, () => {
  const commands = pageCommands(readFileSync(PAGE, "utf8"));
  const { dir, home } = projectCopy();
  afterAll(() => {
    spawnSync("npm", ["run", "testhost", "--", "down", "--dir", "sandbox"], { cwd: dir });
    rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  it("starts with the install this suite itself was set up with", () => {
    // `npm ci` is how this test suite got its node_modules; rerunning it here would replace
    // them under the other test files that are running.
    expect(commands[0]).toBe("npm ci");
  });

  it("runs every other command of the page, in order, each succeeding", () => {
    const env = {
      ...process.env,
      NO_COLOR: "1",
      HOME: home,
      PROVISION_AGE_IDENTITY_FILE: join(home, "age-identity.txt"),
    };
    for (const c of commands.slice(1)) {
      const r = spawnSync("bash", ["-c", c], { cwd: dir, env, encoding: "utf8", timeout: 600_000 });
      expect({ command: c, code: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({
        command: c,
        code: 0,
        stderr: "",
      });
      if (c.includes("--detailed-exitcode")) expect(r.stdout).toContain("No changes.");
      if (c.includes("register-user")) expect(r.stdout).toContain("registered @admin:");
    }
    expect(commands.length).toBeGreaterThanOrEqual(12);
  });
});
