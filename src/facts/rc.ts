import { defineFact, T } from "./kind.js";

/** Variables a fresh FreeBSD 14 sets in /etc/defaults/rc.conf (those recipes manage). */
const DEFAULTS: Record<string, string> = {
  sshd_enable: "YES",
  cron_enable: "YES",
  syslogd_enable: "YES",
  ntpd_enable: "NO",
  local_unbound_enable: "NO",
  firewall_enable: "NO",
  firewall_script: "/etc/rc.firewall",
  firewall_type: "UNKNOWN",
  firewall_quiet: "NO",
  firewall_logging: "NO",
  clear_tmp_enable: "NO",
  dumpdev: "AUTO",
  syslogd_flags: "-s",
};

/** rc.conf variables as rc.subr sees them (defaults included); absent = unset. */
export const rc = defineFact({
  tags: ["rc"],
  empty: () => new Set<string>(),
  script: (vars) =>
    vars.size === 0
      ? []
      : [
          "(",
          "  [ -r /etc/defaults/rc.conf ] && . /etc/defaults/rc.conf",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
          '  for f in ${rc_conf_files:-/etc/rc.conf /etc/rc.conf.local}; do [ -r "$f" ] && . "$f"; done',
          ...[...vars]
            .sort()
            .map((v) => `  [ "\${${v}+set}" = set ] && printf 'rc${T}${v}${T}%s\\n' "$${v}"`),
          ") 2>/dev/null",
        ],
  parse: (lines) => new Map(lines.map(([, name = "", ...value]) => [name, value.join(T)])),
  fresh: (vars) =>
    new Map([...vars].filter((v) => v in DEFAULTS).map((v) => [v, DEFAULTS[v] as string])),
});
