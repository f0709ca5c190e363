// A change of the rules in force is applied as FreeBSD's share/examples/ipfw/change_rules.sh does:
// before loading, the firewall as it is (rules, ipfw's switches, rc.conf's firewall_* values) is
// saved and a detached timer (daemon(8)) is set to restore it; only a NEW SSH connection, opened
// after loading, cancels it. If the new rules refuse new connections (a wrong CIDR, a port
// mismatch, an ipfw error halfway through), the old state comes back by itself, even when this
// CLI or its connection is gone by then.
import { q } from "../connector/quote.js";
import { STATE_DIR } from "../facts/created-dirs.js";
import { restoreScript, snapshotScript } from "./firewall-snapshot.js";

/** The default of the inventory's `firewall.confirm_timeout`. */
export const FIREWALL_ROLLBACK_SECONDS = 60;
export const FIREWALL_DIR = `${STATE_DIR}/firewall`;
/** How long the timer waits for the step that loads the rules before it counts anyway. */
export const LOAD_WAIT_SECONDS = 600;
/** How long a new arming waits for an earlier timer that is restoring right now. */
const EARLIER_TIMER_WAIT_TENTHS = 600;

/** The plan's note on a firewall change. */
export function firewallNote(seconds = FIREWALL_ROLLBACK_SECONDS): string {
  return `firewall changes are applied with automatic rollback: the rules in force now come back ${seconds} s after loading (firewall.confirm_timeout) unless a new SSH connection confirms the new ones`;
}

const D = FIREWALL_DIR;

/**
 * The timer, run by daemon(8) in a session of its own, with the pid of the step's shell as $1.
 * It records its pid and process group (the group a later run ends), waits until the step
 * that loads the rules has ended (the window counts from then, not from arming), then restores
 * the saved state unless the arming was confirmed or taken over by a later run. TERM is ignored
 * from the claim on: a restore is never cut halfway.
 */
function timerScript(token: string, seconds: number): string {
  return [
    `echo "$$ $(ps -o pgid= -p $$ | tr -d ' ')" > ${D}/timer.${token}`,
    `i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt ${LOAD_WAIT_SECONDS} ]; do sleep 1; i=$((i + 1)); done`,
    `sleep ${seconds}`,
    "trap '' TERM",
    `if mv ${D}/armed.${token} ${D}/fired 2>/dev/null; then /bin/sh ${D}/restore ${D}/snapshot > ${D}/rollback.log 2>&1; echo "rolled back $(date -u +%Y-%m-%dT%H:%M:%SZ)" > ${D}/outcome.${token}; fi`,
    `rm -f ${D}/timer.${token}`,
  ].join("\n");
}

/**
 * Ends the timers of earlier armings before this one starts, so that none can restore over this
 * run's rules. First its arming is taken over (renamed away: its timer can no longer restore);
 * then its process group gets TERM, and this waits until the group is gone. A timer that claimed
 * its arming already ignores TERM and is waited for until its restore is complete. A pid whose
 * command line does not name the timer (a stale file after a reboot) is left alone.
 * Sets `earlier` when an arming was never confirmed: its run was cut before a new connection
 * confirmed its rules.
 */
const endEarlierTimers = [
  "earlier=",
  `for t in ${D}/timer.*; do`,
  `  [ -f "$t" ] || continue`,
  `  tok=\${t#${D}/timer.}; p=; g=; read -r p g < "$t"`,
  `  mv "${D}/armed.$tok" ${D}/superseded 2>/dev/null && earlier=yes`,
  `  case "$p" in ""|*[!0-9]*) p= ;; esac; case "$g" in ""|*[!0-9]*) p= ;; esac`,
  `  if [ -n "$p" ] && ps -ww -o command= -p "$p" 2>/dev/null | grep -qF "timer.$tok"; then`,
  `    kill -TERM -"$g" 2>/dev/null; i=0`,
  `    while kill -0 -"$g" 2>/dev/null; do`,
  `      i=$((i + 1)); if [ $i -gt ${EARLIER_TIMER_WAIT_TENTHS} ]; then echo "${D}: the rollback timer of an earlier apply (process $g) did not end" >&2; exit 1; fi`,
  "      sleep 0.1",
  "    done",
  "  fi",
  `  rm -f "$t"`,
  "done",
  // Armed without a timer: the host restarted before it fired; still never confirmed.
  `for f in ${D}/armed.*; do [ -e "$f" ] && mv -f "$f" ${D}/superseded && earlier=yes; done`,
].join("\n");

/**
 * Ends earlier timers, saves the firewall as it is (see below for when it keeps the saved one),
 * then starts this arming's timer and waits until it has recorded its pid. `run` names the apply
 * and `token` this arming (one per step).
 *
 * What a rollback returns to is the state last confirmed: the saved state is kept, not taken
 * anew, (a) when an earlier run's arming was never confirmed (cut after loading its rules: those
 * rules are not known to let anyone in, the ones saved before that run are), and (b) for the
 * later firewall steps of the same run, so that a rollback takes back all of the run's firewall
 * change (firewall_enable set in one step, the rules loaded in the next), not just its last step.
 */
export function armScript(token: string, seconds = FIREWALL_ROLLBACK_SECONDS, run = token): string {
  return [
    `if [ -L ${STATE_DIR} ] || [ -L ${D} ]; then echo '${D}: a symlink on the way: refusing to write through it' >&2; exit 1; fi`,
    `mkdir -p ${D} && chown root:wheel ${STATE_DIR} ${D} && chmod 0700 ${STATE_DIR} ${D} || exit 1`,
    endEarlierTimers,
    `if [ -s ${D}/snapshot ] && [ -s ${D}/restore ] && { [ -n "$earlier" ] || [ "$(cat ${D}/snapshot.run 2>/dev/null)" = ${q(run)} ]; }; then :; else`,
    snapshotScript(`${D}/snapshot.new`, `${D}/rules.now`),
    `  fsync ${D}/snapshot.new && mv -f ${D}/snapshot.new ${D}/snapshot || exit 1`,
    "fi",
    `echo ${q(run)} > ${D}/snapshot.run || exit 1`,
    `cat > ${D}/restore.new <<'PROVISION_FIREWALL_RESTORE' || exit 1`,
    restoreScript,
    "PROVISION_FIREWALL_RESTORE",
    `fsync ${D}/restore.new && mv -f ${D}/restore.new ${D}/restore || exit 1`,
    `: > ${D}/armed.${token} || exit 1`,
    // daemon(8): its own session, so ending this step's process group never ends the timer.
    `daemon -f /bin/sh -c ${q(timerScript(token, seconds))} timer $$`,
    `i=0; while [ ! -s ${D}/timer.${token} ]; do i=$((i + 1)); if [ $i -gt 100 ]; then echo '${D}: the rollback timer did not start' >&2; exit 1; fi; sleep 0.1; done`,
  ].join("\n");
}

/** Run on a new connection: cancels the timer, unless it already fired. */
export function confirmScript(token: string): string {
  return `if mv ${D}/armed.${token} ${D}/confirmed 2>/dev/null; then echo confirmed; else cat ${D}/outcome.${token} 2>/dev/null || echo gone; fi`;
}

/**
 * On the old connection after a failed step: restore now rather than in a minute. `not armed`
 * when the arming itself failed, before the step changed anything.
 */
export function rollbackNowScript(token: string): string {
  return `if mv ${D}/armed.${token} ${D}/fired 2>/dev/null; then /bin/sh ${D}/restore ${D}/snapshot && echo "rolled back $(date -u +%Y-%m-%dT%H:%M:%SZ)" | tee ${D}/outcome.${token}; else cat ${D}/outcome.${token} 2>/dev/null || echo 'not armed'; fi`;
}

/** Whether the timer restored the old rules yet (`rolled back ...`), read on the old connection. */
export function outcomeScript(token: string): string {
  return `cat ${D}/outcome.${token} 2>/dev/null; true`;
}
