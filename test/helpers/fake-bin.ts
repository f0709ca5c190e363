import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A directory of stand-in commands to put first on PATH when a script we install is run
 * locally: each logs its arguments to `log` (one line per call) and runs `body`.
 */
export function fakeBin(commands: Record<string, string>): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "provision-bin-"));
  mkdirSync(dir, { recursive: true });
  const log = join(dir, "calls.log");
  writeFileSync(log, "");
  for (const [name, body] of Object.entries(commands)) {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\n`);
    chmodSync(p, 0o755);
  }
  return { dir, log };
}
