import { defineFact, T } from "./kind.js";

/** Installed packages: name -> version. */
export const packages = defineFact({
  tags: ["pkgq"],
  empty: () => true as const,
  script: () => [
    `if [ -x /usr/local/sbin/pkg ]; then pkg query '%n${T}%v' 2>/dev/null | sed 's/^/pkgq${T}/'; fi`,
  ],
  parse: (lines) => new Map(lines.map(([, name = "", version = ""]) => [name, version])),
  fresh: () => new Map<string, string>(),
});
