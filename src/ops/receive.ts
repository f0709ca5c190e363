// Receiving a host's output into a local file: written as it arrives (0600, never over an
// existing file), hashed on the way, fsync'ed before it counts.
import { createHash } from "node:crypto";
import { closeSync, createWriteStream, fsyncSync, openSync } from "node:fs";
import { PassThrough, type Writable } from "node:stream";

import { UserError } from "../errors.js";
import type { DataConnector } from "./events.js";
import type { ManifestFile } from "./manifest.js";

/** The last lines of a command's standard error, for a message. */
export function tail(stderr: string, lines = 5): string {
  return stderr.trim().split("\n").slice(-lines).join("\n");
}

/**
 * Runs `script` on the host with its standard output going to `path` (and to `also`, e.g. a
 * tar digest); fails with the host's error when the script fails.
 */
export async function receive(
  conn: DataConnector,
  script: string,
  path: string,
  what: string,
  also?: Writable,
): Promise<Omit<ManifestFile, "name">> {
  const fd = openSync(path, "wx", 0o600);
  const file = createWriteStream("", { fd, autoClose: false });
  const hash = createHash("sha256");
  let size = 0;
  const tee = new PassThrough();
  tee.on("data", (d: Buffer) => {
    size += d.length;
    hash.update(d);
  });
  tee.pipe(file);
  if (also) tee.pipe(also);
  const flushed = Promise.all(
    [file, ...(also ? [also] : [])].map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.on("finish", () => resolve());
          w.on("error", reject);
        }),
    ),
  );
  const r = await conn.execData(script, { stdout: tee });
  tee.end();
  await flushed;
  fsyncSync(fd);
  closeSync(fd);
  if (r.code !== 0)
    throw new UserError(`host ${conn.name}: ${what} failed (exit ${r.code}): ${tail(r.stderr)}`);
  return { size, sha256: hash.digest("hex") };
}
