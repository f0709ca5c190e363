import { closeSync, fstatSync, openSync, readSync, type Stats } from "node:fs";

function kind(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a pipe";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Reads a regular file of at most `max` bytes. A device (/dev/zero), pipe or directory, or a
 * file larger than `max`, is an error with a plain message instead of a read that never ends.
 * Errors keep their errno `code` (EISDIR for a directory).
 */
export function readBoundedFile(file: string, max: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const err = new Error(`is ${kind(st)}, not a regular file`) as NodeJS.ErrnoException;
      if (st.isDirectory()) err.code = "EISDIR";
      throw err;
    }
    if (st.size > max) throw new Error(`is ${st.size} bytes, more than the ${max} expected`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
