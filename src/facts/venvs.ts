import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

/** PEP 503 normalisation: how pip compares distribution names. */
export function normalizeDist(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/**
 * Virtualenv path -> installed distributions (normalised name -> version); null = no venv, or
 * one whose creation stopped before pip was in it (pyvenv.cfg comes first): created again.
 */
export const venvs = defineFact({
  tags: ["venv", "dist"],
  empty: () => new Set<string>(),
  script: (paths) =>
    [...paths]
      .sort()
      .map(
        (v) =>
          `if [ -f ${q(v)}/pyvenv.cfg ] && [ -x ${q(v)}/bin/pip ]; then printf 'venv${T}%s\\n' ${q(v)}; for d in ${q(v)}/lib/python*/site-packages/*.dist-info; do [ -d "$d" ] && printf 'dist${T}%s${T}%s\\n' ${q(v)} "\${d##*/}"; done; fi`,
      ),
  parse: (lines, paths) => {
    const found = new Map<string, Map<string, string> | null>([...paths].map((v) => [v, null]));
    for (const [tag, venv = "", info = ""] of lines) {
      if (tag === "venv") found.set(venv, new Map());
      const m = /^(.+)-([^-]+)\.dist-info$/.exec(info);
      if (tag === "dist" && m) found.get(venv)?.set(normalizeDist(m[1] as string), m[2] as string);
    }
    return found;
  },
  fresh: (paths) => new Map<string, Map<string, string> | null>([...paths].map((v) => [v, null])),
});
