// The firewall's state as a rollback restores it, saved in one file (replaced whole, by rename):
//   format 2            this layout (a snapshot without it is never restored by this script)
//   boot BOOTTIME       kern.boottime when it was saved: a snapshot of an earlier boot is not kept
//   rcfile FILE         an rc.conf file whose firewall_* assignments follow (FILE may be absent)
//   rcline FILE LINE    one firewall_* assignment line of FILE, verbatim (never evaluated)
//   script PATH copy C  the firewall script PATH as it was, copied (cp -p) to C
//   script PATH absent  there was no file at PATH
//   switch NAME VALUE   ipfw's sysctls; 0 when absent (module not loaded: nothing filtered)
//   loaded              the ipfw module was loaded: the rule lines that follow are its rules
//   rule RULE           a rule as `ipfw list` prints it, without the default rule 65535
//   end N               the last line: the snapshot is whole and holds N rules
// Both switches matter: rc.d/ipfw's start turns on IPv4 and IPv6 filtering alike (ipfw_poststart
// sets net.inet.ip.fw.enable=1 and net.inet6.ip6.fw.enable=1, libexec/rc/rc.d/ipfw), so a return
// to "no firewall" that turned off IPv4 only would leave IPv6 to the default deny rule.
// The persistent part (rc.conf's lines, the script file) is what a restart or a reboot loads; it
// is restored first, and alone at boot (before rc.d/ipfw, which then loads it).
import { PATHS } from "../freebsd/paths.js";
import { BACKUP_DIR } from "../resources/file.js";

/** ipfw's switches: filtering of IPv4, of IPv6, and logging (firewall_logging). */
export const FIREWALL_SWITCHES = [
  "net.inet.ip.fw.enable",
  "net.inet6.ip6.fw.enable",
  "net.inet.ip.fw.verbose",
];

/** rc.conf(5)'s files, where sysrc(8) reads and writes (rc_conf_files). */
export const RC_CONF_FILES = ["/etc/rc.conf", "/etc/rc.conf.local"];

/** The firewall script files provision writes: saved, and put back by a rollback. */
export const FIREWALL_FILES = [PATHS.firewallScript];

/** Prints the boot time, the same text for the whole of one boot. */
export const BOOT_TIME = "sysctl -n kern.boottime";

const ASSIGNMENT = "^[[:space:]]*firewall_[A-Za-z0-9_]*=";

/**
 * Writes the state as it is now to `out`; the script files are copied to `keep` with names
 * starting with `tag`. Expects `$b` to hold the boot time. Every write is checked, one by one
 * (`set -e` would not do: it is off inside an `||` list): a full disk fails the arming rather
 * than saving half a state. The rules are read into memory rather than through a scratch file,
 * and the last line, `end N` with N the number of rules, is what a restore checks before it
 * flushes anything.
 */
export function snapshotScript(out: string, keep: string, tag: string): string {
  return [
    `  mkdir -p ${keep} || exit 1`,
    "  (",
    "    echo 'format 2' || exit 1",
    `    echo "boot $b" || exit 1`,
    `    for f in ${RC_CONF_FILES.join(" ")}; do echo "rcfile $f" || exit 1; if [ -f "$f" ]; then l=$(grep '${ASSIGNMENT}' "$f"); [ $? -le 1 ] || exit 1; if [ -n "$l" ]; then printf '%s\\n' "$l" | sed "s|^|rcline $f |" || exit 1; fi; fi; done`,
    `    i=0; for p in ${FIREWALL_FILES.join(" ")}; do i=$((i + 1)); if [ -f "$p" ]; then cp -p "$p" ${keep}/${tag}.$i && fsync ${keep}/${tag}.$i && echo "script $p copy ${keep}/${tag}.$i" || exit 1; else echo "script $p absent" || exit 1; fi; done`,
    `    for s in ${FIREWALL_SWITCHES.join(" ")}; do v=$(sysctl -n "$s" 2>/dev/null) || v=0; echo "switch $s \${v:-0}" || exit 1; done`,
    "    n=0",
    "    if r=$(ipfw list 2>/dev/null); then",
    "      echo loaded || exit 1",
    `      r=$(printf '%s\\n' "$r" | grep -v '^65535 ')`,
    `      if [ -n "$r" ]; then printf '%s\\n' "$r" | sed 's/^/rule /' || exit 1; n=$(printf '%s\\n' "$r" | wc -l | tr -d ' '); fi`,
    "    fi",
    `    echo "end $n"`,
    `  ) > ${out} || exit 1`,
  ].join("\n");
}

/** Whether the snapshot file $1 is whole: its last line is `end N` and it holds N rules. */
export const SNAPSHOT_WHOLE = `snapshot_whole() { e=$(tail -n 1 "$1") && [ "\${e%% *}" = end ] && [ "$(grep -c '^rule ' "$1")" = "\${e#end }" ]; }`;

// Puts a file's firewall_* assignments back as saved (the file named by `saved`, one line each):
// a variable whose lines are the same now is left alone; one that differs loses its current lines
// and gets its saved ones, in place of the first current line (at the end when it has none); one
// set since is removed. Every other line stays as it is.
const mergeRcLines = String.raw`function var(l,  m) {
  if (!match(l, /^[ \t]*firewall_[A-Za-z0-9_]*=/)) return ""
  m = substr(l, RSTART, RLENGTH - 1); sub(/^[ \t]*/, "", m); return m
}
BEGIN { n = 0; while ((getline l < saved) > 0) { v = var(l); if (v == "") continue; if (!(v in want)) { order[++n] = v; want[v] = "" } want[v] = want[v] l "\n" } }
{ line[NR] = $0; v = var($0); if (v != "") have[v] = have[v] $0 "\n" }
END {
  for (v in have) if (!(v in want) || have[v] != want[v]) drop[v] = 1
  for (i = 1; i <= NR; i++) {
    v = var(line[i])
    if (v == "" || !(v in drop)) { print line[i]; continue }
    if ((v in want) && !(v in done)) { printf "%s", want[v]; done[v] = 1 }
  }
  for (i = 1; i <= n; i++) { v = order[i]; if (!(v in done) && !(v in have)) printf "%s", want[v] }
}`;

/**
 * Restores the state saved in the file named by $1: first what a restart or a reboot loads
 * (rc.conf's firewall_* lines, the firewall script), then, unless $2 is `persistent` (at boot,
 * before rc.d/ipfw), the kernel: off what was off (so no moment filters with the wrong rules),
 * the rules, on what was on. Exits 1 when anything could not be restored, saying what.
 */
export const restoreScript = `set -f
f=$1; only=$2
[ -s "$f" ] || { echo "$f: nothing saved to restore" >&2; exit 1; }
grep -qx 'format 2' "$f" || { echo "$f: not a snapshot this restore reads" >&2; exit 1; }
${SNAPSHOT_WHOLE}
snapshot_whole "$f" || { echo "$f: the saved state is incomplete (no end line, or fewer rules than it names): nothing restored" >&2; exit 1; }
rc=0
# As a file write keeps the file it replaces; never over a backup made in the same second.
keep_backup() {
  n="${BACKUP_DIR}$2.$(date -u +%Y%m%dT%H%M%SZ)"; m=$n; i=0
  while [ -e "$m" ]; do i=$((i + 1)); m=$n.$i; done
  (umask 077 && mkdir -p "${BACKUP_DIR}\${2%/*}") && $1 "$2" "$m"
}
while read -r kind conf; do
  [ "$kind" = rcfile ] || continue
  t="$conf.provision-restore"
  awk -v p="rcline $conf " 'index($0, p) == 1 { print substr($0, length(p) + 1) }' "$f" > "$t.saved" || { rc=1; continue; }
  if [ -f "$conf" ]; then
    if cp -p "$conf" "$t" && awk -v saved="$t.saved" '${mergeRcLines}' "$conf" > "$t"; then
      cmp -s "$t" "$conf" || { fsync "$t" && mv -f "$t" "$conf"; } || { echo "$conf: could not put back its firewall_* lines" >&2; rc=1; }
    else
      echo "$conf: could not put back its firewall_* lines" >&2; rc=1
    fi
  elif [ -s "$t.saved" ]; then
    (umask 022 && cat "$t.saved" > "$t") && fsync "$t" && mv -f "$t" "$conf" || { echo "$conf: could not put back its firewall_* lines" >&2; rc=1; }
  fi
  rm -f "$t" "$t.saved"
done < "$f"
while read -r kind path how copy; do
  [ "$kind" = script ] || continue
  if [ "$how" = copy ]; then
    [ -f "$path" ] && cmp -s "$copy" "$path" && continue
    [ -f "$copy" ] || { echo "$path: its saved copy $copy is missing" >&2; rc=1; continue; }
    if [ -e "$path" ]; then keep_backup "cp -p" "$path" || { rc=1; continue; }; fi
    cp -p "$copy" "$path.provision-restore" && fsync "$path.provision-restore" && mv -f "$path.provision-restore" "$path" || { echo "$path: could not be put back" >&2; rc=1; }
  elif [ -e "$path" ]; then
    keep_backup mv "$path" || { echo "$path: could not be moved out of the way" >&2; rc=1; }
  fi
done < "$f"
[ "$only" = persistent ] && exit $rc
while read -r kind name value; do
  if [ "$kind" = switch ] && [ "$value" = 0 ]; then sysctl "$name=0" >/dev/null 2>&1 </dev/null; fi
done < "$f"
if grep -q '^loaded$' "$f"; then
  ipfw -q -f flush </dev/null || rc=1
  while read -r kind rule; do
    [ "$kind" = rule ] || continue
    ipfw -q add $rule </dev/null || { echo "ipfw add $rule: failed" >&2; rc=1; }
  done < "$f"
fi
while read -r kind name value; do
  if [ "$kind" = switch ] && [ "$value" != 0 ]; then sysctl "$name=$value" >/dev/null </dev/null || rc=1; fi
done < "$f"
exit $rc`;
