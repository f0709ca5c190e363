import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/cli.js";

/** Runs the CLI with a standard output whose reader has gone before the first line. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // As `provision plan ... | head -1` once head has exited: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("a closed output pipe", () => {
  it("ends the command quietly with its own exit code, without a stack trace", async () => {
    for (const json of [[], ["--json"]]) {
      const r = await runIntoClosedPipe([
        "plan",
        "--assume-fresh",
        "-i",
        "inventory.example.yaml",
        ...json,
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
  });
});
