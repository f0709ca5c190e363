import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TarDigest } from "../../src/ops/tar-digest.js";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

function sampleTar(format: string): { tar: Buffer; files: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "provision-tar-"));
  const long = `media_store/local_content/${"a".repeat(60)}/${"b".repeat(70)}`;
  mkdirSync(join(dir, long), { recursive: true });
  const files: Record<string, string> = {};
  const put = (p: string, data: Buffer | string) => {
    writeFileSync(join(dir, p), data);
    files[p] = sha(data);
  };
  put("media_store/empty", "");
  put("media_store/exact", Buffer.alloc(512, 7));
  put(`${long}/picture`, Buffer.alloc(70_000, 3));
  const r = spawnSync("tar", [`--format=${format}`, "-cf", "-", "-C", dir, "media_store"]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return { tar: r.stdout, files };
}

async function digest(bytes: Buffer, chunk = 1000): Promise<TarDigest> {
  const d = new TarDigest();
  d.on("error", () => {}); // write()'s callback reports it
  for (let i = 0; i < bytes.length; i += chunk)
    await new Promise<void>((res, rej) =>
      d.write(bytes.subarray(i, i + chunk), (e) => (e ? rej(e) : res())),
    );
  await new Promise<void>((res) => d.end(res));
  return d;
}

describe("TarDigest", () => {
  for (const format of ["gnu", "pax", "ustar"])
    it(`digests every regular file of a ${format} archive, long names included, in any chunking`, async () => {
      const { tar, files } = sampleTar(format === "ustar" ? "pax" : format);
      for (const chunk of [1, 511, 4096]) {
        const d = await digest(tar, chunk === 1 ? 97 : chunk);
        expect(Object.fromEntries(d.files)).toEqual(files);
        expect(d.complete).toBe(true);
      }
    });

  it("a cut-off archive is never complete", async () => {
    const { tar } = sampleTar("gnu");
    const d = await digest(tar.subarray(0, 2048));
    expect(d.complete).toBe(false);
  });

  it("refuses what is not a tar stream", async () => {
    await expect(digest(Buffer.alloc(1024, 65))).rejects.toThrow("not a tar stream");
  });
});
