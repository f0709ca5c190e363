// The firewall's state as a rollback restores it, saved in one file (replaced whole, by rename):
//   switch NAME VALUE   ipfw's sysctls; 0 when absent (module not loaded: nothing filtered)
//   rc NAME VALUE       each firewall_* variable set in rc.conf (sysrc -a)
//   loaded              the ipfw module was loaded: the rule lines that follow are its rules
//   rule RULE           a rule as `ipfw list` prints it, without the default rule 65535
// Both switches matter: rc.d/ipfw's start turns on IPv4 and IPv6 filtering alike (ipfw_poststart
// sets net.inet.ip.fw.enable=1 and net.inet6.ip6.fw.enable=1, libexec/rc/rc.d/ipfw), so a return
// to "no firewall" that turned off IPv4 only would leave IPv6 to the default deny rule.

/** ipfw's switches: filtering of IPv4, of IPv6, and logging (firewall_logging). */
export const FIREWALL_SWITCHES = [
  "net.inet.ip.fw.enable",
  "net.inet6.ip6.fw.enable",
  "net.inet.ip.fw.verbose",
];

const firewallVars = String.raw`sysrc -a | sed -n 's/^\(firewall_[A-Za-z0-9_]*\):.*/\1/p'`;

/** Writes the state as it is now to `out` (`rules` is scratch). */
export function snapshotScript(out: string, rules: string): string {
  return [
    "  {",
    `    for s in ${FIREWALL_SWITCHES.join(" ")}; do v=$(sysctl -n "$s" 2>/dev/null); echo "switch $s \${v:-0}"; done`,
    `    for n in $(${firewallVars}); do echo "rc $n $(sysrc -n "$n")"; done`,
    `    if ipfw list > ${rules} 2>/dev/null; then echo loaded; grep -v '^65535 ' ${rules} | sed 's/^/rule /'; fi`,
    `  } > ${out} || exit 1`,
  ].join("\n");
}

/**
 * Restores the state saved in the file named by $1: first off what was off (so no moment filters
 * with the wrong rules), then the rules, then on what was on, then rc.conf's firewall_* values
 * (those set since are removed), so that a restart brings back the same firewall.
 */
export const restoreScript = `set -f
f=$1
[ -s "$f" ] || { echo "$f: nothing saved to restore" >&2; exit 1; }
rc=0
while read -r kind name value; do
  if [ "$kind" = switch ] && [ "$value" = 0 ]; then sysctl "$name=0" >/dev/null 2>&1 </dev/null; fi
done < "$f"
if grep -q '^loaded$' "$f"; then
  ipfw -q -f flush </dev/null || rc=1
  sed -n 's/^rule //p' "$f" | while read -r rule; do ipfw -q add $rule </dev/null || echo "ipfw add $rule: failed" >&2; done
fi
while read -r kind name value; do
  if [ "$kind" = switch ] && [ "$value" != 0 ]; then sysctl "$name=$value" >/dev/null </dev/null || rc=1; fi
done < "$f"
for n in $(${firewallVars}); do
  grep -q "^rc $n " "$f" || sysrc -x "$n" >/dev/null </dev/null || rc=1
done
while read -r kind name value; do
  if [ "$kind" = rc ]; then sysrc "$name=$value" >/dev/null </dev/null || rc=1; fi
done < "$f"
exit $rc`;
