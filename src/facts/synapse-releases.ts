import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

export interface SynapseReleasesFact {
  /** What the venv path is: a symlink to a release, a directory (an older layout), nothing. */
  kind: "symlink" | "directory" | "none";
  /** The symlink's target as written (a release's name, relative). */
  target?: string;
  /** Release virtualenvs next to it (`venv-VERSION-pyX.Y`), by name, sorted. */
  releases: string[];
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";

/**
 * Synapse's release virtualenvs: the `venv` symlink apply switches and the releases kept next
 * to it (one per Synapse and Python version). Read-only.
 */
export const synapseReleases = defineFact({
  tags: ["syrel"],
  empty: () => new Set<string>(),
  script: (links) =>
    [...links]
      .sort()
      .flatMap((l) => [
        `if [ -L ${q(l)} ]; then printf 'syrel${T}%s${T}link${T}%s\\n' ${q(l)} "$(readlink ${q(l)})"; elif [ -d ${q(l)} ]; then printf 'syrel${T}%s${T}dir\\n' ${q(l)}; fi`,
        `for d in ${q(`${parentOf(l)}/`)}venv-*; do [ -f "$d/pyvenv.cfg" ] && printf 'syrel${T}%s${T}release${T}%s\\n' ${q(l)} "\${d##*/}"; done; :`,
      ]),
  parse: (lines, links) => {
    const found = new Map<string, SynapseReleasesFact>(
      [...links].map((l) => [l, { kind: "none", releases: [] }]),
    );
    for (const [, link = "", what, value = ""] of lines) {
      const f = found.get(link);
      if (!f) continue;
      if (what === "link") Object.assign(f, { kind: "symlink", target: value });
      if (what === "dir") f.kind = "directory";
      if (what === "release") f.releases = [...f.releases, value].sort();
    }
    return found;
  },
  fresh: (links) =>
    new Map<string, SynapseReleasesFact>(
      [...links].map((l) => [l, { kind: "none", releases: [] }]),
    ),
});
