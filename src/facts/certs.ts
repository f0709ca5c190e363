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
  script: (paths) =>
    [...paths]
      .sort()
      .map(
        (c) =>
          `if [ -f ${q(c)} ]; then printf 'cert${T}%s${T}%s${T}%s${T}%s\\n' ${q(c)} "$(openssl x509 -in ${q(c)} -noout -enddate 2>/dev/null | cut -d= -f2)" "$(openssl x509 -in ${q(c)} -noout -serial 2>/dev/null | cut -d= -f2)" "$(openssl x509 -in ${q(c)} -noout -subject 2>/dev/null | sed 's/^subject= *//')"; fi`,
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
