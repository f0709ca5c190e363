// An apply run the test can interrupt: the CLI with --json, its apply_start events read as they
// come, and a callback that may end the run (SIGKILL the CLI, cut its connection) at any step.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { BIN, ROOT } from "../helpers/cli.js";

export interface StepStart {
  index: number;
  total: number;
  address: string;
  description: string;
}

export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  starts: StepStart[];
  stdout: string;
  stderr: string;
}

/** Runs `provision apply --yes --json`; onStart sees each step as it starts and may stop the run. */
export function applyRun(
  args: string[],
  env: Record<string, string>,
  onStart: (s: StepStart, kill: () => void) => void,
): Promise<RunEnd> {
  const child = spawn(process.execPath, [BIN, "apply", "--yes", "--json", ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const starts: StepStart[] = [];
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString("utf8");
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    stdout += `${line}\n`;
    let e: { type?: string; index?: number; total?: number; resource?: string; step?: string };
    try {
      e = JSON.parse(line);
    } catch {
      return;
    }
    if (e.type !== "apply_start") return;
    const s: StepStart = {
      index: Number(e.index),
      total: Number(e.total),
      address: String(e.resource ?? ""),
      description: String(e.step ?? ""),
    };
    starts.push(s);
    onStart(s, () => child.kill("SIGKILL"));
  });
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, starts, stdout, stderr }));
  });
}
