// The scheduled backup's room check, run by sh here with the real du and df: only the database's
// size is given (PostgreSQL is not here).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { q } from "../../src/connector/quote.js";
import { spaceCheckScript } from "../../src/ops/scheduled-space.js";

const root = mkdtempSync(join(tmpdir(), "provision-space-"));
const media = join(root, "media_store");
mkdirSync(media);
writeFileSync(join(media, "a"), Buffer.alloc(256 * 1024));

function run(dbBytes: string) {
  const script = [
    'fail() { echo "provision-backup: $*" >&2; exit 1; }',
    spaceCheckScript(`echo ${dbBytes}`, q(media), q(root)),
    "echo room",
  ].join("\n");
  return spawnSync("sh", ["-eu"], { input: script, encoding: "utf8" });
}

describe("the scheduled backup's room check", () => {
  it("passes when the database and media store fit with the margin", () => {
    expect(run("1048576")).toMatchObject({ status: 0, stdout: "room\n", stderr: "" });
  });

  it("fails naming what it needs and what is free when they do not", () => {
    // 2^50 bytes: a petabyte database fits on no disk here.
    const r = run(String(2 ** 50));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^provision-backup: not enough room in ${root}: about \\d+ MiB needed \\(database 1073741824 MiB, media store 0 MiB, and a margin\\), \\d+ MiB free\\n$`,
      ),
    );
  });

  it("fails when PostgreSQL answers no size", () => {
    const r = run("''");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("PostgreSQL answered no database size");
  });
});
