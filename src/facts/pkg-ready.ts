import { defineFact, T } from "./kind.js";

/** Whether pkg(8) is bootstrapped (a fresh FreeBSD has only the /usr/sbin/pkg stub). */
export const pkgReady = defineFact({
  tags: ["pkg"],
  empty: () => true as const,
  script: () => [`[ -x /usr/local/sbin/pkg ] && echo 'pkg${T}ready${T}1'`],
  parse: (lines) => lines.length > 0,
  fresh: () => false,
});
