import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

export interface UserFact {
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Accounts from /etc/passwd; null = no such user. */
export const users = defineFact({
  tags: ["user"],
  empty: () => new Set<string>(),
  // passwd(5) lines: name:pw:uid:gid:gecos:home:shell, printed as pw usershow's layout.
  script: (names) =>
    names.size === 0
      ? []
      : [
          `awk -F: -v want=${q(` ${[...names].sort().join(" ")} `)} 'index(want, " " $1 " ") { print "user${T}" $1 ":*:" $3 ":" $4 "::0:0:" $5 ":" $6 ":" $7 }' /etc/passwd`,
        ],
  parse: (lines, names) => {
    const found = new Map<string, UserFact | null>([...names].map((u) => [u, null]));
    for (const [, ...rest] of lines) {
      const [name = "", , uid = "", gid = "", , , , , home = "", shell = ""] = rest
        .join(T)
        .split(":");
      found.set(name, { uid: Number(uid), gid: Number(gid), home, shell });
    }
    return found;
  },
  fresh: (names) =>
    new Map<string, UserFact | null>(
      [...names].map((u) => [
        u,
        u === "root" ? { uid: 0, gid: 0, home: "/root", shell: "/bin/sh" } : null,
      ]),
    ),
});
