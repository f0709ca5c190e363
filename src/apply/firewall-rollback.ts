// A change of the rules in force is applied as FreeBSD's share/examples/ipfw/change_rules.sh does:
// before the first step of the change (the firewall script's write included), the firewall as it
// is (rules, ipfw's switches, rc.conf's firewall_* lines, the firewall script) is saved and a
// detached timer (daemon(8)) is set to restore it; only a NEW SSH connection, opened after
// loading, cancels it. If the new rules refuse new connections (a wrong CIDR, a port mismatch, an
// ipfw error halfway through), the old state comes back by itself, even when this CLI or its
// connection is gone by then; after a reboot within the window, the boot hook puts it back
// before rc.d/ipfw loads the firewall.
import { q } from "../connector/quote.js";
import { STATE_DIR } from "../facts/created-dirs.js";
import { BOOT_TIME, restoreScript, SNAPSHOT_WHOLE, snapshotScript } from "./firewall-snapshot.js";

/** The default of the inventory's `firewall.confirm_timeout`. */
export const FIREWALL_ROLLBACK_SECONDS = 60;
export const FIREWALL_DIR = `${STATE_DIR}/firewall`;
/** How long the timer waits for the step that loads the rules before it counts anyway. */
export const LOAD_WAIT_SECONDS = 600;
/** How long a new arming waits for an earlier timer that is restoring right now. */
const EARLIER_TIMER_WAIT_TENTHS = 600;
/**
 * The boot hook: an rc.d script that rcorder(8) runs before rc.d/ipfw. A reboot inside the
 * window ends the timer; the hook takes the unconfirmed change back instead.
 */
export const FIREWALL_BOOT_HOOK = "/usr/local/etc/rc.d/provision_firewall";

/** The plan's note on a firewall change. */
export function firewallNote(seconds = FIREWALL_ROLLBACK_SECONDS): string {
  return `firewall changes are applied with automatic rollback: the rules in force now come back ${seconds} s after loading (firewall.confirm_timeout) unless a new SSH connection confirms the new ones`;
}

const D = FIREWALL_DIR;

/**
 * Ends the `if RESTORE` that precedes it: `o` is then the outcome, `rolled back TIME` or
 * `rollback failed TIME (...)`; written whole afterwards, so no reader sees a half-made outcome.
 */
const outcomeOf = (how: string) =>
  `then o="rolled back${how} $(date -u +%Y-%m-%dT%H:%M:%SZ)"; else o="rollback failed${how} $(date -u +%Y-%m-%dT%H:%M:%SZ) (see ${D}/rollback.log)"; fi`;
/**
 * A restore claims its arming by renaming armed.TOKEN to fired.TOKEN; the claim goes only once
 * the restore succeeded and its outcome is written. One left behind (a crash or power loss
 * mid-restore, or a restore that failed) is taken up by the boot hook at the next boot.
 */
const releaseClaim = (claim: string) => `case "$o" in "rolled back"*) rm -f ${claim} ;; esac`;
/** Writes `$o` to `file` by rename: a reader sees no outcome or all of it. */
const writeOutcome = (file: string) => `echo "$o" > ${file}.new && mv -f ${file}.new ${file}`;

/**
 * An armed marker holds kern.boottime at arming. At boot, before rc.d/ipfw: a marker armed in the
 * boot just before (the one the hook or an arming recorded in ${D}/boot) was never confirmed, and
 * its timer died with that boot: the persistent part of the saved state (rc.conf's firewall_*
 * lines, the firewall script) is restored, and rc.d/ipfw then loads the firewall confirmed last.
 * Any older marker is reported and removed, never applied.
 */
export const bootHookScript = `#!/bin/sh
#
# PROVIDE: provision_firewall
# REQUIRE: FILESYSTEMS
# BEFORE: ipfw
#
# Written by provision. A firewall change that was not confirmed by a new SSH connection before
# the host went down is taken back here, before rc.d/ipfw loads the firewall: rc.conf's firewall_*
# lines and the firewall script return to what was confirmed last (${D}/snapshot).

. /etc/rc.subr

name="provision_firewall"
desc="Take back a firewall change that was never confirmed"
start_cmd="provision_firewall_start"
stop_cmd=":"

provision_firewall_start()
{
	local d now prev m tok at restored
	d=${D}
	restored=no
	now=$(${BOOT_TIME} 2>/dev/null)
	[ -n "$now" ] || return 0
	prev=$(cat "$d/boot" 2>/dev/null)
	for m in "$d"/armed.* "$d"/fired.*; do
		[ -f "$m" ] || continue
		tok=\${m##*/}; tok=\${tok#*.}
		at=$(cat "$m")
		[ "$at" = "$now" ] && continue
		if [ -n "$at" ] && [ "$at" = "$prev" ] && { [ "$m" = "$d/fired.$tok" ] || mv "$m" "$d/fired.$tok" 2>/dev/null; }; then
			restored=yes
			if /bin/sh "$d/restore" "$d/snapshot" persistent > "$d/rollback.log" 2>&1; ${outcomeOf(" at boot")}
			${writeOutcome('"$d/outcome.$tok"')}
			${releaseClaim('"$d/fired.$tok"')}
			echo "$o"
		else
			at="$m: armed before the last boot and never confirmed: removed, its saved state not restored"
			echo "$at" >&2
			echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $at" >> "$d/stale.log"
			rm -f "$m"
		fi
	done
	echo "$now" > "$d/boot"
	# /etc/rc read rc.conf once, before the first script, and the later ones inherit what it
	# read: its ALRM trap rereads it (libexec/rc/rc), so rc.d/ipfw sees the lines put back.
	case "$restored:$0" in yes:*/etc/rc) kill -ALRM $$ ;; esac
}

load_rc_config $name
run_rc_command "$1"`;

/**
 * In an arming: $b is this boot; an earlier marker of this boot was never confirmed. (Setting the
 * clock moves kern.boottime: a marker armed before a clock step reads as older and is removed,
 * not kept; the state is then saved anew, as for a first arming.)
 */
const takeOver = [
  "take_over() {",
  `  if [ "$(cat "$1" 2>/dev/null)" = "$b" ]; then mv -f "$1" ${D}/superseded && earlier=yes`,
  `  else m="$1: armed before the last boot and never confirmed: removed, its saved state not restored"; echo "$m" >&2; echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $m" >> ${D}/stale.log; rm -f "$1"; fi`,
  "}",
].join("\n");

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
    `if mv ${D}/armed.${token} ${D}/fired.${token} 2>/dev/null; then if /bin/sh ${D}/restore ${D}/snapshot > ${D}/rollback.log 2>&1; ${outcomeOf("")}; ${writeOutcome(`${D}/outcome.${token}`)}; ${releaseClaim(`${D}/fired.${token}`)}; fi`,
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
  takeOver,
  "earlier=",
  `for t in ${D}/timer.*; do`,
  `  [ -f "$t" ] || continue`,
  `  tok=\${t#${D}/timer.}; p=; g=; read -r p g < "$t"`,
  `  [ -e "${D}/armed.$tok" ] && take_over "${D}/armed.$tok"`,
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
  // Armed without a timer: a timer that died (this boot), or a marker of an earlier boot; a claim
  // left by a restore that did not finish is one too: the state saved before it stays.
  `for f in ${D}/armed.* ${D}/fired.*; do [ -e "$f" ] && take_over "$f"; done`,
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
    `b=$(${BOOT_TIME} 2>/dev/null); [ -n "$b" ] || { echo '${D}: kern.boottime unreadable' >&2; exit 1; }`,
    endEarlierTimers,
    // A saved state of an earlier boot is never kept (nor one of an older layout).
    SNAPSHOT_WHOLE,
    `if [ -s ${D}/snapshot ] && [ -s ${D}/restore ] && grep -qxF "boot $b" ${D}/snapshot && grep -qx 'format 2' ${D}/snapshot && snapshot_whole ${D}/snapshot && { [ -n "$earlier" ] || [ "$(cat ${D}/snapshot.run 2>/dev/null)" = ${q(run)} ]; }; then :; else`,
    snapshotScript(`${D}/snapshot.new`, `${D}/keep`, token),
    `  snapshot_whole ${D}/snapshot.new || { echo '${D}: the firewall state could not be saved whole (a full disk?): not changing the firewall' >&2; exit 1; }`,
    `  fsync ${D}/snapshot.new && mv -f ${D}/snapshot.new ${D}/snapshot || exit 1`,
    `  for k in ${D}/keep/*; do [ -f "$k" ] && ! grep -qF " copy $k" ${D}/snapshot && rm -f "$k"; done`,
    "fi",
    `echo ${q(run)} > ${D}/snapshot.run || exit 1`,
    `cat > ${D}/restore.new <<'PROVISION_FIREWALL_RESTORE' || exit 1`,
    restoreScript,
    "PROVISION_FIREWALL_RESTORE",
    `fsync ${D}/restore.new && mv -f ${D}/restore.new ${D}/restore || exit 1`,
    `mkdir -p ${FIREWALL_BOOT_HOOK.slice(0, FIREWALL_BOOT_HOOK.lastIndexOf("/"))} && cat > ${FIREWALL_BOOT_HOOK}.new <<'PROVISION_FIREWALL_HOOK' || exit 1`,
    bootHookScript,
    "PROVISION_FIREWALL_HOOK",
    `chown root:wheel ${FIREWALL_BOOT_HOOK}.new && chmod 0555 ${FIREWALL_BOOT_HOOK}.new && fsync ${FIREWALL_BOOT_HOOK}.new && mv -f ${FIREWALL_BOOT_HOOK}.new ${FIREWALL_BOOT_HOOK} || exit 1`,
    `echo "$b" > ${D}/boot && printf '%s\\n' "$b" > ${D}/armed.${token} || exit 1`,
    // daemon(8): its own session, so ending this step's process group never ends the timer.
    `daemon -f /bin/sh -c ${q(timerScript(token, seconds))} timer $$`,
    `i=0; while [ ! -s ${D}/timer.${token} ]; do i=$((i + 1)); if [ $i -gt 100 ]; then echo '${D}: the rollback timer did not start' >&2; exit 1; fi; sleep 0.1; done`,
  ].join("\n");
}

/** Run on a new connection: cancels the timer, unless it already fired. */
export function confirmScript(token: string): string {
  // Recorded as the outcome too: asked again after an answer was lost, the host still knows.
  return `if mv ${D}/armed.${token} ${D}/confirmed 2>/dev/null; then o="confirmed $(date -u +%Y-%m-%dT%H:%M:%SZ)"; ${writeOutcome(`${D}/outcome.${token}`)}; echo confirmed; else cat ${D}/outcome.${token} 2>/dev/null || echo gone; fi`;
}

/**
 * On the old connection after a failed step: restore now rather than in a minute. `not armed`
 * when the arming itself failed, before the step changed anything.
 */
export function rollbackNowScript(token: string): string {
  return `if mv ${D}/armed.${token} ${D}/fired.${token} 2>/dev/null; then if /bin/sh ${D}/restore ${D}/snapshot > ${D}/rollback.log 2>&1; ${outcomeOf("")}; ${writeOutcome(`${D}/outcome.${token}`)}; ${releaseClaim(`${D}/fired.${token}`)}; echo "$o"; else cat ${D}/outcome.${token} 2>/dev/null || echo 'not armed'; fi`;
}

/**
 * Whether the timer restored the old rules yet (`rolled back ...`) or failed to (`rollback
 * failed ...`), or a new connection confirmed them (`confirmed ...`), read on the old connection.
 */
export function outcomeScript(token: string): string {
  return `cat ${D}/outcome.${token} 2>/dev/null; true`;
}
