import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

/** Root-owned state provision keeps on the host. */
export const STATE_DIR = "/var/db/provision";
/** Directories provision created, one path a line, appended by the directory resource. */
export const CREATED_DIRS = `${STATE_DIR}/created-dirs`;

/**
 * Appends a path to CREATED_DIRS. The state directory is root's alone (0700, no symlink
 * followed), so nobody else can redirect the write; an append of one short line is a single
 * write(2), and a torn line only makes a path look foreign, which refuses rather than re-owns.
 */
export function recordCreatedDir(path: string): string {
  return [
    `if [ -L ${STATE_DIR} ]; then echo '${STATE_DIR} is a symlink: refusing to write through it' >&2; exit 1; fi`,
    `mkdir -p ${STATE_DIR} && chown root:wheel ${STATE_DIR} && chmod 0700 ${STATE_DIR}`,
    `printf '%s\\n' ${q(path)} >> ${CREATED_DIRS}`,
  ].join("\n");
}

/** The directories provision created on this host (see recordCreatedDir). */
export const createdDirs = defineFact({
  tags: ["created"],
  empty: () => false,
  script: (asked) =>
    asked ? [`[ -f ${CREATED_DIRS} ] && sed 's/^/created${T}/' ${CREATED_DIRS}`] : [],
  parse: (lines) => new Set(lines.map((f) => f.slice(1).join(T))),
  fresh: () => new Set<string>(),
});
