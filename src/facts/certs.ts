import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";

export interface CertFact {
  notAfter: Date;
  serial: string;
  subject: string;
}

/** X.509 certificates by path: expiry, serial, subject; null = absent or unreadable. */
export const certs = defineFact({
  tags: ["cert"],
  empty: () => new Set<string>(),
  // One openssl run per certificate prints the three lines; awk joins them (an unreadable
  // certificate gives empty fields).
  script: (paths) =>
    [...paths]
      .sort()
      .map(
        (c) =>
          `if [ -f ${q(c)} ]; then printf 'cert${T}%s${T}' ${q(c)}; openssl x509 -in ${q(c)} -noout -enddate -serial -subject 2>/dev/null | awk '/^notAfter=/ { e = substr($0, 10) } /^serial=/ { s = substr($0, 8) } /^subject=/ { j = $0; sub(/^subject= */, "", j) } END { printf "%s${T}%s${T}%s\\n", e, s, j }'; fi`,
      ),
  parse: (lines, paths) => {
    const found = new Map<string, CertFact | null>([...paths].map((c) => [c, null]));
    for (const [, path = "", end = "", serial = "", subject = ""] of lines) {
      const notAfter = new Date(end);
      if (!Number.isNaN(notAfter.getTime())) found.set(path, { notAfter, serial, subject });
    }
    return found;
  },
  fresh: (paths) => new Map<string, CertFact | null>([...paths].map((c) => [c, null])),
});
