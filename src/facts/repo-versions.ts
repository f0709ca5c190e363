import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

/** Versions the package repository offers (its cached catalogue) for the packages asked about. */
export const repoVersions = defineFact({
  tags: ["pkgr"],
  empty: () => new Set<string>(),
  script: (names) =>
    names.size === 0
      ? []
      : [
          // -U: the cached catalogue only; a plan never updates anything.
          `[ -x /usr/local/sbin/pkg ] && pkg rquery -U '%n${T}%v' ${[...names].sort().map(q).join(" ")} 2>/dev/null | sed 's/^/pkgr${T}/'`,
        ],
  parse: (lines) => new Map(lines.map(([, name = "", version = ""]) => [name, version])),
  // A fresh host has no catalogue until pkg is bootstrapped.
  fresh: () => new Map<string, string>(),
});
