import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

export interface GroupFact {
  gid: number;
  members: string[];
}

/** Groups from /etc/group; null = no such group. */
export const groups = defineFact({
  tags: ["group"],
  empty: () => new Set<string>(),
  script: (names) =>
    names.size === 0
      ? []
      : [
          `awk -F: -v want=${q(` ${[...names].sort().join(" ")} `)} 'index(want, " " $1 " ") { print "group${T}" $1 ":*:" $3 ":" $4 }' /etc/group`,
        ],
  parse: (lines, names) => {
    const found = new Map<string, GroupFact | null>([...names].map((g) => [g, null]));
    for (const [, ...rest] of lines) {
      const [name = "", , gid = "", members = ""] = rest.join(T).split(":");
      found.set(name, { gid: Number(gid), members: members ? members.split(",") : [] });
    }
    return found;
  },
  fresh: (names) =>
    new Map<string, GroupFact | null>(
      [...names].map((g) => [g, g === "wheel" ? { gid: 0, members: ["root"] } : null]),
    ),
});
