import { $ } from "zx";

type Options = { cwd?: string; env?: NodeJS.ProcessEnv; input?: string };

/** zx options from ours: unset ones keep zx's defaults (this process's directory and env). */
const zx = (opts: Options) =>
  Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));

/** Runs a command (zx quotes each argument), failing with its output when it fails. */
export function run(cmd: string, args: string[], opts: Options = {}): string {
  const r = $({ ...zx(opts), sync: true, quiet: true, nothrow: true })`${cmd} ${args}`;
  if (r.exitCode !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (${r.exitCode ?? r.signal}): ${r.stderr || r.stdout}`,
    );
  }
  return r.stdout;
}

/** Runs a long command, streaming its output line by line to a log function. */
export async function runLogged(
  cmd: string,
  args: string[],
  log: (line: string) => void,
  opts: Omit<Options, "input"> = {},
): Promise<void> {
  // Nothing to read on stdin: a command waiting for input would hang the build.
  const p = $({
    ...zx(opts),
    quiet: true,
    nothrow: true,
    stdio: ["ignore", "pipe", "pipe"],
  })`${cmd} ${args}`;
  let tail = "";
  for (const stream of [p.stdout, p.stderr]) {
    stream.on("data", (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      for (const line of d.toString().split("\n")) if (line.trim()) log(line);
    });
  }
  const r = await p;
  if (r.exitCode !== 0) throw new Error(`${cmd} failed (${r.exitCode ?? r.signal}): ${tail}`);
}
