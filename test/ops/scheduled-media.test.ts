// The scheduled backup's media step, run by sh on a scratch media store: one listing, checked,
// is what the archive holds and what MANIFEST.json's checksums name. The synapse user owns the
// store and may change it at any moment: a name that would break out of the JSON, a file added
// after the archive, a file removed while it is archived, or a checksum line that is not one
// never reaches the manifest or a run that reports ok.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PATHS } from "../../src/freebsd/paths.js";
import { SCHEDULED } from "../../src/ops/scheduled-backup.js";
import { fileOf, hostsFrom, renderMap } from "../helpers/render.js";

const [host] = hostsFrom(`all:
  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1] }
  hosts:
    matrix:
      server_name: m.example.org
      public_ipv4: 192.0.2.10
      backup:
        scheduled: { enabled: true }
`);
if (!host) throw new Error("no host");
const script = fileOf(renderMap(host), SCHEDULED.script);

/** The media step as the script has it, and the line that turns its checksums into JSON. */
function mediaStep(): string {
  const from = script.indexOf('step="archiving the media store"');
  const to = script.indexOf('present=""');
  expect(from).toBeGreaterThan(0);
  expect(to).toBeGreaterThan(from);
  const json = /^media=\$\(.*$/m.exec(script)?.[0];
  expect(json).toBeDefined();
  // The script's helper for long children, where it has one.
  const helper = /^run_child\(\) \{\n[\s\S]*?\n\}\n/m.exec(script)?.[0] ?? "";
  return `${helper}${script.slice(from, to)}\n${json}\n`;
}

interface Run {
  code: number | null;
  stderr: string;
  /** MANIFEST.json's media lines, parsed as the manifest would hold them. */
  media: Record<string, string> | undefined;
  /** What media.tar holds. */
  archived: string[];
}

/**
 * Runs the step with `su -m synapse -c CMD` as `sh -c CMD`; `beforeTar`/`afterTar` run (once)
 * around the archive, as Synapse would change the store; `bin` comes first on PATH.
 */
function runStep(
  store: (media: string) => void,
  hooks: { beforeTar?: string; afterTar?: string; bin?: Record<string, string> } = {},
): Run {
  const t = mkdtempSync(join(tmpdir(), "provision-media-"));
  const data = join(t, "data");
  const media = join(data, "media_store");
  mkdirSync(media, { recursive: true });
  store(media);
  const work = join(t, "work");
  mkdirSync(work);
  const bin = join(t, "bin");
  mkdirSync(bin);
  for (const [name, text] of Object.entries(hooks.bin ?? {})) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  const harness = [
    "set -eu",
    `work=${work}`,
    'fail() { echo "provision-backup: $*" >&2; exit 1; }',
    "su() {",
    '  case "$4" in *tar\\ -c*) if [ ! -e "$work/../before" ]; then : > "$work/../before"; eval "$BEFORE_TAR"; fi ;; esac',
    '  r=0; sh -c "$4" || r=$?',
    '  case "$4" in *tar\\ -c*) if [ ! -e "$work/../after" ]; then : > "$work/../after"; eval "$AFTER_TAR"; fi ;; esac',
    "  return $r",
    "}",
    mediaStep().replaceAll(PATHS.synapseDataDir, data),
    'printf "%s\\n" "$media" > "$work/../media.json"',
  ].join("\n");
  const r = spawnSync("sh", ["-c", harness], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      LC_ALL: "C",
      BEFORE_TAR: hooks.beforeTar ?? ":",
      AFTER_TAR: hooks.afterTar ?? ":",
      M: media,
    },
  });
  let parsed: Record<string, string> | undefined;
  if (r.status === 0) {
    const lines = readFileSync(join(t, "media.json"), "utf8").trim();
    try {
      parsed = JSON.parse(`{${lines ? lines.split("\n").join(",") : ""}}`);
    } catch {
      parsed = { "(not JSON)": lines };
    }
  }
  const list = spawnSync("tar", ["-tf", join(work, "media.tar")], { encoding: "utf8" });
  return {
    code: r.status,
    stderr: r.stderr,
    media: parsed,
    archived: (list.stdout ?? "").split("\n").filter(Boolean),
  };
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A store as Synapse lays it out: nested directories, an empty one, files of the safe names. */
function plainStore(media: string): void {
  mkdirSync(join(media, "local_content/ab/cd"), { recursive: true });
  mkdirSync(join(media, "local_thumbnails/ab"), { recursive: true });
  mkdirSync(join(media, "remote_content"));
  writeFileSync(join(media, "local_content/ab/cd/efGHijKLmn"), "one");
  writeFileSync(join(media, "local_content/ab/cd/xy_Z-1.2"), "two");
}
const PLAIN = {
  "media_store/local_content/ab/cd/efGHijKLmn": sha("one"),
  "media_store/local_content/ab/cd/xy_Z-1.2": sha("two"),
};

describe("the scheduled backup's media step", () => {
  it("archives and sums every file of the store, directories (empty ones too) in the archive", () => {
    const r = runStep(plainStore);
    expect(r.code, r.stderr).toBe(0);
    expect(r.media).toEqual(PLAIN);
    expect(r.archived).toContain("media_store/remote_content/");
    expect(r.archived).toContain("media_store/local_content/ab/cd/efGHijKLmn");
  });

  it("a file added after the archive is neither archived nor in the manifest, whatever its name", () => {
    const r = runStep(plainStore, {
      afterTar: [
        'mkdir -p "$M/local_content/zz"',
        'echo late > "$M/local_content/zz/late"',
        // A name that, summed and turned into JSON unchecked, writes an entry of its own.
        `printf x > "$M/local_content/zz/"'a": "0", "forged'`,
        `printf x > "$M/local_content/zz/back\\\\slash"`,
      ].join("; "),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.media).toEqual(PLAIN);
    for (const p of Object.keys(r.media ?? {})) expect(r.archived).toContain(p);
  });

  it("refuses a name outside the safe set, a newline in a name, a symbolic link or a fifo", () => {
    const odd: [string, (m: string) => void][] = [
      ["quote", (m) => writeFileSync(join(m, 'a"b'), "x")],
      ["backslash", (m) => writeFileSync(join(m, "a\\b"), "x")],
      ["newline", (m) => writeFileSync(join(m, "a\nmedia_store"), "x")],
      ["blank", (m) => writeFileSync(join(m, "a b"), "x")],
      ["symbolic link", (m) => symlinkSync("/etc/passwd", join(m, "passwd"))],
      ["directory link", (m) => symlinkSync("/etc", join(m, "local_content"))],
      ["fifo", (m) => spawnSync("mkfifo", [join(m, "pipe")])],
    ];
    for (const [what, make] of odd) {
      const r = runStep((m) => {
        writeFileSync(join(m, "fine"), "ok");
        make(m);
      });
      expect(r.code, `${what}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr, what).toContain("provision-backup: media store entry refused");
    }
  });

  it("accepts only checksum lines of the strict form: anything else fails the run", () => {
    const r = runStep(plainStore, {
      bin: {
        openssl: `#!/bin/sh\nfor f; do case "$f" in media_store/*) printf '%064d *%s\\n' 0 "$f" ;; esac; done\nprintf '%064d *media_store/x": "y\\n' 0\n`,
      },
    });
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain("provision-backup: unexpected media checksum line");
  });

  it("a file removed while the store is archived: archived again without it, never listed", () => {
    const r = runStep(plainStore, {
      beforeTar: 'rm -f "$M/local_content/ab/cd/xy_Z-1.2"',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.media).toEqual({
      "media_store/local_content/ab/cd/efGHijKLmn": sha("one"),
    });
    expect(r.archived).not.toContain("media_store/local_content/ab/cd/xy_Z-1.2");
    expect(r.stderr).toContain("archiving again");
  });
});
