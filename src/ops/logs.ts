// Where each service logs on a FreeBSD host provision set up, and the script that reads it.
// Synapse and Apache write their own files; PostgreSQL (the FreeBSD package's default) and
// coturn (its `syslog` setting) log through syslogd into /var/log/messages under their idents.
import { q } from "../connector/quote.js";
import { PATHS } from "../freebsd/paths.js";

export const LOG_SOURCES = ["synapse", "apache", "postgresql", "turnserver", "provision"] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

interface Where {
  files: string[];
  /** syslog ident whose lines are picked out of the files. */
  ident?: string;
}

export function logLocation(source: LogSource): Where {
  switch (source) {
    case "synapse":
      return { files: [`${PATHS.synapseLogDir}/homeserver.log`] };
    case "apache":
      return { files: ["/var/log/httpd-error.log", "/var/log/httpd-access.log"] };
    case "postgresql":
      return { files: ["/var/log/messages"], ident: "postgres" };
    case "turnserver":
      return { files: ["/var/log/messages"], ident: "turnserver" };
    case "provision":
      return { files: ["/var/log/provision*"] };
  }
}

/**
 * The last `lines` lines of a source's logs (or, following, every new one until the
 * connection closes). Missing files are named on standard error, never an error by themselves.
 */
export function logScript(source: LogSource, lines: number, follow: boolean): string {
  const where = logLocation(source);
  // The glob (provision*) expands on the host; fixed names are quoted.
  const files = where.files.map((f) => (f.includes("*") ? f : q(f))).join(" ");
  const present = [
    "set --",
    `for f in ${files}; do if [ -f "$f" ]; then set -- "$@" "$f"; else echo "no log file $f" >&2; fi; done`,
    'if [ "$#" -eq 0 ]; then exit 3; fi',
  ];
  if (where.ident) {
    const pick = `grep --line-buffered -E ${q(` ${where.ident}\\[[0-9]+\\]:`)}`;
    return [
      ...present,
      follow ? `tail -n ${lines} -F "$@" | ${pick}` : `${pick} "$@" | tail -n ${lines}`,
    ].join("\n");
  }
  return [...present, `tail -n ${lines}${follow ? " -F" : ""} "$@"`].join("\n");
}
