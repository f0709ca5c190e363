// A change of the rules in force is applied as FreeBSD's share/examples/ipfw/change_rules.sh does:
// before loading, the rules in force are saved as a script and a detached timer (daemon(8)) is set
// to restore them; only a NEW SSH connection, opened after loading, cancels it. If the new rules
// refuse new connections (a wrong CIDR, a port mismatch, an ipfw error halfway through), the
// old ones come back by themselves, even when this CLI or its connection is gone by then.
import { q } from "../connector/quote.js";
import { STATE_DIR } from "../facts/created-dirs.js";

/** The default of the inventory's `firewall.confirm_timeout`. */
export const FIREWALL_ROLLBACK_SECONDS = 60;
export const FIREWALL_DIR = `${STATE_DIR}/firewall`;

/** The plan's note on a firewall change. */
export function firewallNote(seconds = FIREWALL_ROLLBACK_SECONDS): string {
  return `firewall changes are applied with automatic rollback: the rules in force now come back ${seconds} s after loading (firewall.confirm_timeout) unless a new SSH connection confirms the new ones`;
}

const D = FIREWALL_DIR;

/**
 * Saves the rules in force as a script that restores them (or, when no firewall filters yet,
 * one that disables it again), then starts the timer. `token` names this arming. An earlier
 * arming not yet confirmed (a cut connection) is superseded, and its restore script, which holds
 * the last confirmed rules, stays.
 */
export function armScript(token: string, seconds = FIREWALL_ROLLBACK_SECONDS): string {
  const armed = `${D}/armed.${token}`;
  const timer = `sleep ${seconds}; if mv ${armed} ${D}/fired 2>/dev/null; then /bin/sh ${D}/rollback > ${D}/rollback.log 2>&1; echo "rolled back $(date -u +%Y-%m-%dT%H:%M:%SZ)" > ${D}/outcome.${token}; fi`;
  return [
    `if [ -L ${STATE_DIR} ] || [ -L ${D} ]; then echo '${D}: a symlink on the way: refusing to write through it' >&2; exit 1; fi`,
    `mkdir -p ${D} && chown root:wheel ${STATE_DIR} ${D} && chmod 0700 ${STATE_DIR} ${D} || exit 1`,
    "earlier=",
    `for f in ${D}/armed.*; do [ -e "$f" ] && mv -f "$f" ${D}/superseded && earlier=yes; done`,
    `if [ -z "$earlier" ] || [ ! -s ${D}/rollback ]; then`,
    `  if [ "$(sysctl -n net.inet.ip.fw.enable 2>/dev/null)" = 1 ] && ipfw list > ${D}/rules.now 2>/dev/null; then`,
    `    { echo 'ipfw -q -f flush'; grep -v '^65535 ' ${D}/rules.now | sed 's/^/ipfw -q add /'; } > ${D}/rollback.new`,
    "  else",
    `    echo 'sysctl net.inet.ip.fw.enable=0 >/dev/null' > ${D}/rollback.new`,
    "  fi",
    `  fsync ${D}/rollback.new && mv -f ${D}/rollback.new ${D}/rollback || exit 1`,
    "fi",
    `: > ${armed} || exit 1`,
    // daemon(8): its own session, so ending this step's process group never ends the timer.
    `daemon -f /bin/sh -c ${q(timer)}`,
  ].join("\n");
}

/** Run on a new connection: cancels the timer, unless it already fired. */
export function confirmScript(token: string): string {
  return `if mv ${D}/armed.${token} ${D}/confirmed 2>/dev/null; then echo confirmed; else cat ${D}/outcome.${token} 2>/dev/null || echo gone; fi`;
}

/** On the old connection after a failed step: restore now rather than in a minute. */
export function rollbackNowScript(token: string): string {
  return `if mv ${D}/armed.${token} ${D}/fired 2>/dev/null; then /bin/sh ${D}/rollback && echo "rolled back $(date -u +%Y-%m-%dT%H:%M:%SZ)" | tee ${D}/outcome.${token}; else cat ${D}/outcome.${token} 2>/dev/null; fi`;
}

/** Whether the timer restored the old rules yet (`rolled back ...`), read on the old connection. */
export function outcomeScript(token: string): string {
  return `cat ${D}/outcome.${token} 2>/dev/null; true`;
}
