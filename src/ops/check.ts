// provision check: one read-only script per host that looks at what a monitor cares about and
// prints tagged lines; findings are graded here, so the script never decides what is bad.
import { LOCK_FILE, lockStateScript } from "../apply/lock.js";
import { q } from "../connector/quote.js";
import type { Connector } from "../connector/types.js";
import { PENDING_HANDLERS } from "../facts/pending-handlers.js";
import { certDir, PATHS } from "../freebsd/paths.js";
import type { Host } from "../inventory/types.js";
import { SCHEDULED } from "./scheduled-backup.js";

export type Status = "ok" | "warning" | "critical" | "unknown";

export interface Finding {
  check: string;
  status: Status;
  detail: string;
}

/** Monitoring exit codes (Nagios plugin convention): worst finding wins. */
export const CHECK_EXIT: Record<Status, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };
const RANK: Record<Status, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

export function worst(findings: readonly Finding[]): Status {
  return findings.reduce<Status>((w, f) => (RANK[f.status] > RANK[w] ? f.status : w), "ok");
}

/** A stale apply lock: older than this. */
/** Free space below these fractions: warning, critical. */
const DISK_WARN = 0.1;
const DISK_CRIT = 0.05;

function services(host: Host): string[] {
  return ["postgresql", "synapse", "apache24", ...(host.config.turn.enabled ? ["turnserver"] : [])];
}

/** `curl` through Apache on the host itself, the name resolved to 127.0.0.1, the certificate checked. */
function viaApache(tag: string, name: string, port: number, path: string): string {
  const url = `https://${name}${port === 443 ? "" : `:${port}`}${path}`;
  return `r=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --resolve ${q(`${name}:${port}:127.0.0.1`)} ${q(url)}); echo "${tag}\t${path}\t$?\t$r"`;
}

/** net/coturn's STUN client, named in full: a login PATH need not hold /usr/local/bin. */
const STUN_CLIENT = "/usr/local/bin/turnutils_stunclient";

/** Synapse's own listener (homeserver.yaml binds it to 127.0.0.1:8008). */
const SYNAPSE_LISTENER = "http://127.0.0.1:8008";

export function checkScript(host: Host): string {
  const c = host.config;
  const name = c.public_hostname;
  const lines = [
    ...services(host).map(
      (s) =>
        `if service ${s} onestatus >/dev/null 2>&1; then echo "svc\t${s}\tup"; else echo "svc\t${s}\tdown"; fi`,
    ),
    // Synapse's reverse-proxy documentation: "Each configured HTTP listener has a /health
    // endpoint" for the proxy's own use; the proxy forwards only /_matrix and /_synapse/client,
    // so /health is asked of the listener and Apache is judged by the client API below.
    `r=$(curl -s -m 10 -o /dev/null -w '%{http_code}' ${SYNAPSE_LISTENER}/health); echo "http\t/health\t$?\t$r"`,
    viaApache("https", name, 443, "/_matrix/client/versions"),
    ...(c.synapse.federation
      ? [viaApache("https", name, c.synapse.federation_port, "/_matrix/key/v2/server")]
      : []),
    ...(c.synapse.well_known
      ? [
          viaApache("https", c.server_name, 443, "/.well-known/matrix/server"),
          viaApache("https", c.server_name, 443, "/.well-known/matrix/client"),
        ]
      : []),
    `cert=${q(`${certDir(name)}/fullchain.pem`)}`,
    `if [ -f "$cert" ]; then echo "cert\t$(openssl x509 -noout -enddate -in "$cert" 2>/dev/null | sed 's/^notAfter=//')"; else echo "cert\tmissing"; fi`,
    ...(c.turn.enabled
      ? [
          // coturn listens on listening-ip only (turnserver.conf: the public address), not on
          // 127.0.0.1, so STUN is asked there; coturn's package installs the client.
          `if [ -x ${STUN_CLIENT} ]; then timeout 10 ${STUN_CLIENT} -p ${c.turn.port} ${q(c.public_ipv4)} >/dev/null 2>&1; echo "turn\t$?"; else echo "turn\tabsent"; fi`,
        ]
      : []),
    `for d in ${[
      PATHS.postgresHome,
      PATHS.synapseMediaStore,
      ...(c.backup.scheduled.enabled ? [q(c.backup.scheduled.dir)] : []),
    ].join(
      " ",
    )}; do df -k "$d" 2>/dev/null | awk -v d="$d" 'NR==2 {print "disk\\t" d "\\t" $2 "\\t" $4}'; done`,
    // Its answer held in a variable, never in a file: root writes nothing where others could.
    'a=$(pkg audit -q 2>/dev/null); echo "audit\t$?\t$(echo $a)"',
    ...(c.backup.scheduled.enabled
      ? [
          newestScheduledBackup(host),
          // The script's own record of its last run (one line: ok|failed, time, why).
          `if [ -f ${SCHEDULED.lastRun} ]; then head -1 ${SCHEDULED.lastRun} | sed 's/^/schedlast\t/'; fi`,
          // Synapse stopped by a run that is no longer running (killed): its marker is left.
          `if [ -f ${SCHEDULED.stoppedMarker} ] && lockf -k -t 0 ${SCHEDULED.lock} true 2>/dev/null; then printf 'schedstopped\t%s\n' "$(head -1 ${SCHEDULED.stoppedMarker})"; fi`,
        ]
      : []),
    // Handlers an interrupted apply left due (restarts that have not happened yet).
    `if [ -f ${PENDING_HANDLERS} ]; then sed 's/^/pending\t/' ${PENDING_HANDLERS}; fi; echo "pending-end"`,
    // The apply lock as provision unlock reads it: held by a live apply, left behind, or free.
    `( ${lockStateScript.replaceAll("\n", "\n  ")}
) | sed 's/^/lock\t/'`,
  ];
  return lines.join("\n");
}

/** The newest complete scheduled backup's name (the schedule's own, with its manifest), or none. */
function newestScheduledBackup(host: Host): string {
  const dir = q(host.config.backup.scheduled.dir);
  return `n=$(for d in ${dir}/${q(host.name)}-*Z; do if [ -f "$d/MANIFEST.json" ] && [ -f "$d/.provision-scheduled" ]; then echo "\${d##*/}"; fi; done | tail -1); echo "schedbak\t\${n:-none}"`;
}

/** How old the newest scheduled backup may be: twice the schedule's period, roughly. */
function scheduledBackupLimitHours(schedule: string): number {
  const [, , mday = "*", , wday = "*"] = schedule.trim().split(/\s+/);
  if (mday !== "*") return 2 * 31 * 24;
  if (wday !== "*") return 2 * 7 * 24;
  return 2 * 24;
}

const HTTP_WHAT: Record<string, string> = {
  "/health": "Synapse /health on its listener",
  "/_matrix/client/versions": "client API through Apache",
  "/_matrix/key/v2/server": "federation port",
  "/.well-known/matrix/server": "well-known server",
  "/.well-known/matrix/client": "well-known client",
};

/** Grades the script's answer. `now` and the renewal window come from the caller (testable). */
export function gradeCheck(host: Host, stdout: string, now: Date): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const pending: string[] = [];
  for (const line of stdout.split("\n")) {
    const [tag = "", ...f] = line.split("\t");
    seen.add(tag);
    if (tag === "svc")
      out.push({
        check: `service ${f[0]}`,
        status: f[1] === "up" ? "ok" : "critical",
        detail: f[1] === "up" ? "running" : "not running",
      });
    else if (tag === "https" || tag === "http") {
      const [path = "", curl = "", code = ""] = f;
      const what = HTTP_WHAT[path] ?? path;
      const bad =
        curl === "60" || curl === "51"
          ? "the certificate is not valid for the name"
          : curl !== "0"
            ? `no answer (curl exit ${curl})`
            : code !== "200"
              ? `HTTP ${code}`
              : undefined;
      out.push({ check: what, status: bad ? "critical" : "ok", detail: bad ?? "HTTP 200" });
    } else if (tag === "cert") {
      const end = f[0] === "missing" ? Number.NaN : Date.parse(f[0] ?? "");
      const days = (end - now.getTime()) / 86_400_000;
      out.push(
        Number.isNaN(end)
          ? { check: "certificate", status: "critical", detail: "no certificate found" }
          : {
              check: "certificate",
              status:
                days <= 0
                  ? "critical"
                  : days < host.config.certificates.renew_days
                    ? "warning"
                    : "ok",
              detail:
                days <= 0 ? `expired ${f[0]}` : `expires ${f[0]} (in ${Math.floor(days)} days)`,
            },
      );
    } else if (tag === "turn")
      out.push(
        f[0] === "absent"
          ? { check: "TURN", status: "unknown", detail: "turnutils_stunclient is not installed" }
          : {
              check: "TURN",
              status: f[0] === "0" ? "ok" : "critical",
              detail: f[0] === "0" ? "answers STUN" : "no STUN answer",
            },
      );
    else if (tag === "disk") {
      const [dir = "", total = "0", avail = "0"] = f;
      const free = Number(avail) / Math.max(1, Number(total));
      out.push({
        check: `disk ${dir}`,
        status: free < DISK_CRIT ? "critical" : free < DISK_WARN ? "warning" : "ok",
        detail: `${Math.round(Number(avail) / 1024)} MiB free (${Math.round(free * 100)}%)`,
      });
    } else if (tag === "audit") {
      const [code = "", names = ""] = f;
      out.push(
        code === "0"
          ? { check: "pkg audit", status: "ok", detail: "no known vulnerabilities" }
          : code === "1" && names.trim()
            ? { check: "pkg audit", status: "warning", detail: `vulnerable: ${names.trim()}` }
            : code === "65"
              ? {
                  check: "pkg audit",
                  status: "unknown",
                  detail:
                    "no vulnerability database: run `pkg audit -F` (periodic's daily security run fetches it)",
                }
              : {
                  check: "pkg audit",
                  status: "unknown",
                  detail: `pkg audit failed (exit ${code})`,
                },
      );
    } else if (tag === "pending" && f.length === 2) pending.push(`${f[1]} (${f[0]})`);
    else if (tag === "schedbak") {
      const m = /-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(f[0] ?? "");
      const limit = scheduledBackupLimitHours(host.config.backup.scheduled.schedule);
      const at = m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : Number.NaN;
      const hours = (now.getTime() - at) / 3_600_000;
      out.push(
        Number.isNaN(hours)
          ? {
              check: "scheduled backup",
              status: "warning",
              detail: `no scheduled backup in ${host.config.backup.scheduled.dir} yet (see /var/log/provision-backup.log)`,
            }
          : {
              check: "scheduled backup",
              status: hours > limit ? "warning" : "ok",
              detail: `newest ${f[0]} (${Math.floor(hours)} hours old)${hours > limit ? "; see /var/log/provision-backup.log" : ""}`,
            },
      );
    } else if (tag === "schedlast") {
      const [result = "", at = "", why = ""] = f;
      out.push(
        result === "ok"
          ? {
              check: "scheduled backup run",
              status: "ok",
              detail: `the last run succeeded at ${at}${why ? ` (${why})` : ""}`,
            }
          : {
              check: "scheduled backup run",
              status: "warning",
              detail: `the last run failed at ${at}: ${why || "no reason recorded"}; see ${SCHEDULED.log}`,
            },
      );
    } else if (tag === "schedstopped")
      out.push({
        check: "synapse stopped by a backup",
        status: "critical",
        detail: `a scheduled backup (${f[0] || "no details"}) stopped Synapse and ended without starting it again; start it (\`service synapse start\` on the host); the next scheduled run starts it too`,
      });
    else if (tag === "pending-end")
      out.push(
        pending.length
          ? {
              check: "pending handlers",
              status: "warning",
              detail: `an interrupted apply left due: ${pending.join(", ")}; the next \`provision apply\` runs them`,
            }
          : { check: "pending handlers", status: "ok", detail: "none" },
      );
    else if (tag === "lock")
      out.push(
        f[0] === "stale-dir"
          ? {
              check: "provision lock",
              status: "warning",
              detail: `an older provision left ${LOCK_FILE} (${f[1] || "owner unknown"}): it blocks apply until \`provision unlock\``,
            }
          : {
              check: "provision lock",
              status: "ok",
              detail: f[0] === "live" ? `held by ${f[1] || "an apply"}` : "free",
            },
      );
  }
  if (!seen.has("disk"))
    out.push({ check: "disk", status: "unknown", detail: "df answered nothing" });
  return out;
}

export async function checkHost(conn: Connector, host: Host, now = new Date()): Promise<Finding[]> {
  const r = await conn.exec(checkScript(host), { timeoutMs: 120_000 });
  return gradeCheck(host, r.stdout, now);
}
