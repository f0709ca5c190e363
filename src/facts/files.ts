import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

export interface FileFact {
  type: "file" | "directory" | "symlink" | "other";
  /** Octal permission bits, e.g. "0644". */
  mode: string;
  owner: string;
  group: string;
  sha256?: string;
}

/** ls -l permission string, e.g. -rwsr-x--- -> 4750. */
export function modeOf(perm: string): string {
  const p = perm.slice(1, 10);
  const bit = (i: number, ch: string) => (p[i] === ch ? 1 : 0);
  const triple = (i: number) =>
    (p[i] === "r" ? 4 : 0) + (p[i + 1] === "w" ? 2 : 0) + ("xst".includes(p[i + 2] ?? "-") ? 1 : 0);
  const special =
    (bit(2, "s") || bit(2, "S")) * 4 +
    (bit(5, "s") || bit(5, "S")) * 2 +
    (bit(8, "t") || bit(8, "T"));
  return `${special}${triple(0)}${triple(3)}${triple(6)}`;
}

const TYPES: Record<string, FileFact["type"]> = { "-": "file", d: "directory", l: "symlink" };

/** What a fresh FreeBSD 14 has of the files recipes manage. */
const BASE: Record<string, FileFact> = {
  "/etc/resolv.conf": { type: "file", mode: "0644", owner: "root", group: "wheel" },
  "/etc/mail/aliases": { type: "file", mode: "0644", owner: "root", group: "wheel" },
};

/** Paths: type, mode, owner and group (without following symlinks); SHA-256 of regular files. null = absent. */
export const files = defineFact({
  tags: ["file", "sha"],
  empty: () => new Set<string>(),
  script: (paths) => {
    if (paths.size === 0) return [];
    const list = [...paths].sort().map(q).join(" ");
    return [
      // ls -ld's mode, owner and group fields, split by the shell (no awk per file).
      `set -f; for p in ${list}; do if [ -e "$p" ] || [ -L "$p" ]; then set -- $(ls -ld "$p"); printf 'file${T}%s${T}%s %s %s\\n' "$p" "$1" "$3" "$4"; fi; done; set +f`,
      `set -- ; for p in ${list}; do [ -f "$p" ] && [ ! -L "$p" ] && set -- "$@" "$p"; done`,
      `[ $# -gt 0 ] && openssl dgst -sha256 -r "$@" 2>/dev/null | sed 's/^\\([0-9a-f]*\\) \\*/sha${T}\\1${T}/'`,
    ];
  },
  parse: (lines, paths) => {
    const found = new Map<string, FileFact | null>([...paths].map((p) => [p, null]));
    const hashes = new Map<string, string>();
    for (const [tag, a = "", ...rest] of lines) {
      if (tag === "sha") {
        hashes.set(rest.join(T), a);
        continue;
      }
      const [perm = "", owner = "", group = ""] = (rest[0] ?? "").split(" ");
      found.set(a, { type: TYPES[perm[0] ?? ""] ?? "other", mode: modeOf(perm), owner, group });
    }
    for (const [path, fact] of found) {
      const hash = hashes.get(path);
      if (fact && hash !== undefined) fact.sha256 = hash;
    }
    return found;
  },
  fresh: (paths) => new Map<string, FileFact | null>([...paths].map((f) => [f, BASE[f] ?? null])),
});
