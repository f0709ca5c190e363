import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/provision.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI as users do (npm test builds dist/ first). */
export function cli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    input: opts.input ?? "",
    encoding: "utf8",
    // A real FreeBSD target (test/helpers/target.ts) builds Synapse with pip: many minutes.
    timeout: process.env.PROVISION_E2E_TARGET ? 3_600_000 : 600_000,
    // A fleet's plan output runs to megabytes.
    maxBuffer: 1 << 28,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A CLI started in the background: its process, and its result once it ends. */
export interface Started {
  child: ChildProcess;
  done: Promise<CliResult & { ms: number }>;
}

/**
 * The CLI in the background, so a test can go on meanwhile, even with synchronous calls (which
 * would stop a proxy or a timer living in this process): its output goes to files, never to a
 * pipe this process would have to drain. The files are `logPrefix`.stdout and .stderr, or a
 * temporary directory's, removed once read.
 */
export function startCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; logPrefix?: string } = {},
): Started {
  const scratch = opts.logPrefix ? undefined : mkdtempSync(join(tmpdir(), "provision-cli-"));
  const prefix = opts.logPrefix ?? join(scratch as string, "cli");
  const [out, err] = [`${prefix}.stdout`, `${prefix}.stderr`];
  const fds = [openSync(out, "w"), openSync(err, "w")] as const;
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    stdio: ["ignore", fds[0], fds[1]],
  });
  for (const fd of fds) closeSync(fd);
  // The same limit as cli()'s.
  const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
  const done = new Promise<CliResult & { ms: number }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const r = {
        code: code ?? -1,
        stdout: readFileSync(out, "utf8"),
        stderr: readFileSync(err, "utf8"),
        ms: Date.now() - t0,
      };
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      resolve(r);
    });
  });
  return { child, done };
}

/** startCli's result only. */
export function cliInBackground(
  args: string[],
  opts: { env?: Record<string, string | undefined>; logPrefix?: string } = {},
): Promise<CliResult & { ms: number }> {
  return startCli(args, opts).done;
}

/** The CLI against one inventory, keeping every output so a test can search them all at the end. */
export function recordingCli(inventory: () => string, env: () => Record<string, string>) {
  const outputs: string[] = [];
  const run = (args: string[]): CliResult => {
    const r = cli([...args, "-i", inventory()], { env: env() });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  return { run, outputs };
}

/**
 * Runs the CLI on a pseudo-terminal (test/helpers/pty-run.py), typing the answers when their
 * prompts appear; `screen` is everything the terminal showed.
 */
export function onTerminal(
  args: string[],
  steps: [string, string][],
  cwd: string,
  env: object,
): { code: number; screen: string } {
  const r = spawnSync(
    "python3",
    [
      join(ROOT, "test/helpers/pty-run.py"),
      JSON.stringify(steps),
      "--",
      process.execPath,
      BIN,
      ...args,
    ],
    { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8", timeout: 90_000 },
  );
  return JSON.parse(r.stdout) as { code: number; screen: string };
}
