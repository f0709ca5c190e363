import { q } from "../connector/quote.js";
import { STATE_DIR } from "./created-dirs.js";
import { defineFact, T } from "./kind.js";

/**
 * Handlers notified by an applied change that have not run yet, one `RECIPE<TAB>HANDLER` a line.
 * Written before a notifying change's steps, so an apply that stops between a new config file
 * and its restart leaves the restart due; read back by the next plan, which runs it.
 */
export const PENDING_HANDLERS = `${STATE_DIR}/pending-handlers`;

/** The key of a recipe's handler in PENDING_HANDLERS and in the fact. */
export function pendingKey(recipe: string, handler: string): string {
  return `${recipe}${T}${handler}`;
}

const stateDirReady = [
  `if [ -L ${STATE_DIR} ]; then echo '${STATE_DIR} is a symlink: refusing to write through it' >&2; exit 1; fi`,
  `mkdir -p ${STATE_DIR} && chown root:wheel ${STATE_DIR} && chmod 0700 ${STATE_DIR} || exit 1`,
].join("\n");

/** Replaces PENDING_HANDLERS by what `command` prints (temp file, fsync, rename: never torn). */
function rewrite(command: string): string {
  const tmp = `${PENDING_HANDLERS}.new`;
  return [
    stateDirReady,
    `${command} > ${tmp} && fsync ${tmp} && mv -f ${tmp} ${PENDING_HANDLERS} || { rm -f ${tmp}; exit 1; }`,
  ].join("\n");
}

/** Adds handlers to the pending list; the state directory is root's alone (0700, no symlink). */
export function recordPendingScript(keys: readonly string[]): string {
  const lines = keys.map((k) => `printf '%s\\n' ${q(k)}`).join("; ");
  return rewrite(`{ cat ${PENDING_HANDLERS} 2>/dev/null; ${lines}; } | sort -u`);
}

/** Drops one handler from the pending list once it ran. */
export function clearPendingScript(key: string): string {
  return `if [ -f ${PENDING_HANDLERS} ]; then\n${rewrite(`{ grep -vxF -e ${q(key)} ${PENDING_HANDLERS}; [ $? -le 1 ]; }`)}\nfi`;
}

/** After an apply that finished: every notified handler ran or its service was started anew. */
export const clearAllPendingScript = `rm -f ${PENDING_HANDLERS}`;

/** The handlers an earlier apply left due (see recordPendingScript). */
export const pendingHandlers = defineFact({
  tags: ["pending"],
  empty: () => false,
  script: (asked) =>
    asked ? [`[ -f ${PENDING_HANDLERS} ] && sed 's/^/pending${T}/' ${PENDING_HANDLERS}`] : [],
  parse: (lines) =>
    new Set(lines.filter((f) => f.length === 3).map((f) => pendingKey(f[1] ?? "", f[2] ?? ""))),
  fresh: () => new Set<string>(),
});
