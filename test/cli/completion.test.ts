import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cli, ROOT } from "../helpers/cli.js";

// A `provision` on PATH, as after `npm install -g`, for the shells to call.
const binDir = mkdtempSync(join(tmpdir(), "provision-completion-"));
writeFileSync(join(binDir, "provision"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(join(binDir, "provision"), 0o755);
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH}`, NO_COLOR: "1" };
const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;

function shell(program: string, args: string[]) {
  const r = spawnSync(program, args, { cwd: ROOT, env, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("shell completion", () => {
  it("completes commands, options, host and group names from the inventory, and files", () => {
    const c = (words: string[]) =>
      cli(["__complete", "--", ...words])
        .stdout.trim()
        .split("\n");
    expect(c(["pl"])).toEqual(["plan"]);
    expect(c(["secrets", ""])).toEqual(["init", "set", "list", "recipients"]);
    expect(c(["plan", "--detailed"])).toEqual(["--detailed-exitcode"]);
    expect(c(["-i", "inventory.example.yaml", "apply", "--host", ""])).toEqual(["matrix"]);
    expect(c(["-i", "inventory.example.yaml", "plan", "--limit", ""])).toEqual(["matrix", "all"]);
    expect(c(["render", "--out", ""])).toEqual([":files"]);
    expect(c([""])).not.toContain("__complete");
  });

  it("bash: the generated script completes through the provision on PATH", () => {
    const r = shell("bash", [
      "-c",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash expansions
      'source <(provision completion bash); COMP_WORDS=(provision -i inventory.example.yaml apply --host m); COMP_CWORD=5; _provision; printf "%s\\n" "${COMPREPLY[@]}"; COMP_WORDS=(provision re); COMP_CWORD=1; _provision; printf "%s\\n" "${COMPREPLY[@]}"',
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").filter(Boolean)).toEqual([
      "matrix",
      "render",
      "renew-certs",
      "register-user",
    ]);
  });

  it.skipIf(!has("zsh"))("zsh: the generated script parses", () => {
    const out = cli(["completion", "zsh"]).stdout;
    writeFileSync(join(binDir, "_provision"), out);
    const r = shell("zsh", ["-n", join(binDir, "_provision")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it.skipIf(!has("fish"))(
    "fish: the generated script completes through the provision on PATH",
    () => {
      const r = shell("fish", [
        "-c",
        "provision completion fish | source; complete -C 'provision secrets l'",
      ]);
      expect(r.stdout.trim()).toBe("list");
    },
  );

  it("refuses an unknown shell", () => {
    const r = cli(["completion", "tcsh"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no completion for 'tcsh'");
  });
});
