import { defineFact, T } from "./kind.js";

export interface ServiceFact {
  /** An rc.d script of that name exists. */
  installed: boolean;
  running: boolean;
}

/** What a fresh FreeBSD 14 has installed and running. */
const BASE_INSTALLED = ["sshd", "cron", "ntpd", "local_unbound", "ipfw"];
const BASE_RUNNING = ["sshd", "cron"];

export const services = defineFact({
  tags: ["svc"],
  empty: () => new Set<string>(),
  script: (names) =>
    names.size === 0
      ? []
      : [
          // Status checks run side by side (each is a separate rc script): results go to a
          // scratch directory and are printed in order.
          "svcdir=$(mktemp -d)",
          ...[...names]
            .sort()
            .map(
              (s) =>
                `( if [ -x /etc/rc.d/${s} ] || [ -x /usr/local/etc/rc.d/${s} ]; then service ${s} onestatus >/dev/null 2>&1; printf 'svc${T}${s}${T}%s\\n' $?; else printf 'svc${T}${s}${T}missing\\n'; fi > "$svcdir/${s}" ) &`,
            ),
          'wait; cat "$svcdir"/* 2>/dev/null; rm -rf "$svcdir"',
        ],
  parse: (lines) =>
    new Map<string, ServiceFact>(
      lines.map(([, name = "", status]) => [
        name,
        { installed: status !== "missing", running: status === "0" },
      ]),
    ),
  fresh: (names) =>
    new Map<string, ServiceFact>(
      [...names].map((s) => [
        s,
        { installed: BASE_INSTALLED.includes(s), running: BASE_RUNNING.includes(s) },
      ]),
    ),
});
