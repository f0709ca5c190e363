// The sha256 of every regular file inside a tar stream (ustar, pax and GNU long names), read as
// the bytes arrive: media checksums are computed on the operator's machine, so the host needs no
// hashing tool and a restored media store is compared by streaming it back.
import { createHash, type Hash } from "node:crypto";
import { Writable } from "node:stream";

const BLOCK = 512;

function field(h: Buffer, start: number, len: number): string {
  const s = h.subarray(start, start + len).toString("utf8");
  const nul = s.indexOf("\0");
  return nul === -1 ? s : s.slice(0, nul);
}

function octal(h: Buffer, start: number, len: number): number {
  if ((h[start] ?? 0) & 0x80) {
    // GNU base-256 for sizes over 8 GiB.
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + (h[i] ?? 0);
    return n;
  }
  const t = field(h, start, len).trim();
  return t === "" ? 0 : Number.parseInt(t, 8);
}

/** path=value records of a pax extended header. */
function paxPath(data: Buffer): string | undefined {
  let rest = data.toString("utf8");
  while (rest.length > 0) {
    const m = /^(\d+) /.exec(rest);
    if (!m) return undefined;
    const len = Number(m[1]);
    const rec = rest.slice(m[0].length, len - 1);
    if (rec.startsWith("path=")) return rec.slice(5);
    rest = rest.slice(len);
  }
  return undefined;
}

interface Entry {
  name: string;
  size: number;
  remaining: number;
  padding: number;
  kind: "file" | "skip" | "pax" | "longname";
  hash?: Hash;
  meta?: Buffer[];
}

/** A writable that digests a tar stream; `result()` after it finished: path -> sha256. */
export class TarDigest extends Writable {
  readonly files = new Map<string, string>();
  private header = Buffer.alloc(0);
  private entry: Entry | undefined;
  private nextName: string | undefined;
  private ended = false;

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error) => void): void {
    try {
      this.consume(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private consume(chunk: Buffer): void {
    let buf = chunk;
    while (buf.length > 0 && !this.ended) {
      const e = this.entry;
      if (e) {
        if (e.remaining > 0) {
          const take = Math.min(e.remaining, buf.length);
          const part = buf.subarray(0, take);
          if (e.hash) e.hash.update(part);
          if (e.meta) e.meta.push(Buffer.from(part));
          e.remaining -= take;
          buf = buf.subarray(take);
          continue;
        }
        if (e.padding > 0) {
          const take = Math.min(e.padding, buf.length);
          e.padding -= take;
          buf = buf.subarray(take);
          if (e.padding > 0) continue;
        }
        this.finish(e);
        this.entry = undefined;
        continue;
      }
      const need = BLOCK - this.header.length;
      this.header = Buffer.concat([this.header, buf.subarray(0, need)]);
      buf = buf.subarray(need);
      if (this.header.length === BLOCK) {
        this.start(this.header);
        this.header = Buffer.alloc(0);
      }
    }
  }

  private start(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    const sum = h.reduce((a, b, i) => a + (i >= 148 && i < 156 ? 32 : b), 0);
    if (sum !== octal(h, 148, 8)) throw new Error("not a tar stream (header checksum mismatch)");
    const type = String.fromCharCode(h[156] ?? 48);
    const prefix = field(h, 345, 155);
    const base = field(h, 0, 100);
    const name = this.nextName ?? (prefix ? `${prefix}/${base}` : base);
    const size = octal(h, 124, 12);
    const kind =
      type === "x"
        ? "pax"
        : type === "L"
          ? "longname"
          : type === "0" || type === "\0"
            ? "file"
            : "skip";
    if (kind === "file" || kind === "skip") this.nextName = undefined;
    this.entry = {
      name,
      size,
      remaining: size,
      padding: (BLOCK - (size % BLOCK)) % BLOCK,
      kind,
      ...(kind === "file" ? { hash: createHash("sha256") } : {}),
      ...(kind === "pax" || kind === "longname" ? { meta: [] } : {}),
    };
    if (size === 0) {
      this.finish(this.entry);
      this.entry = undefined;
    }
  }

  private finish(e: Entry): void {
    if (e.kind === "file" && e.hash)
      this.files.set(e.name.replace(/^\.\//, ""), e.hash.digest("hex"));
    else if (e.kind === "pax")
      this.nextName = paxPath(Buffer.concat(e.meta ?? [])) ?? this.nextName;
    else if (e.kind === "longname") this.nextName = field(Buffer.concat(e.meta ?? []), 0, e.size);
  }

  /** True once the end-of-archive blocks were read: a cut-off tar is never complete. */
  get complete(): boolean {
    return this.ended;
  }
}
