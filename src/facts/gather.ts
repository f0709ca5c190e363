// One batched, read-only script collects every fact a plan needs: one exec round trip.

import { q } from "../connector/quote.js";
import type { Connector } from "../connector/types.js";
import { UserError } from "../errors.js";
import type { CertFact, FactRequest, Facts, FileFact } from "./types.js";

const T = "\t";

/** The probe script. Read-only: it only lists, stats, hashes and queries. */
export function factScript(req: FactRequest): string {
  const lines = [
    `printf 'os${T}system${T}%s\\n' "$(uname -s)"`,
    `printf 'os${T}version${T}%s\\n' "$(freebsd-version 2>/dev/null || uname -r)"`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    'client="${1:-${SSH_CLIENT:-}}"',
    `printf 'os${T}ssh_client${T}%s\\n' "\${client%% *}"`,
    `if [ -x /usr/local/sbin/pkg ]; then echo 'pkg${T}ready${T}1'; pkg query '%n${T}%v' 2>/dev/null | sed 's/^/pkgq${T}/'; fi`,
  ];
  if (req.repoVersions && req.repoVersions.size > 0) {
    // -U: the cached catalogue only; a plan never updates anything.
    lines.push(
      `[ -x /usr/local/sbin/pkg ] && pkg rquery -U '%n${T}%v' ${[...req.repoVersions].sort().map(q).join(" ")} 2>/dev/null | sed 's/^/pkgr${T}/'`,
    );
  }
  if (req.rc.size > 0) {
    const vars = [...req.rc].sort();
    lines.push(
      "(",
      "  [ -r /etc/defaults/rc.conf ] && . /etc/defaults/rc.conf",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
      '  for f in ${rc_conf_files:-/etc/rc.conf /etc/rc.conf.local}; do [ -r "$f" ] && . "$f"; done',
      ...vars.map((v) => `  [ "\${${v}+set}" = set ] && printf 'rc${T}${v}${T}%s\\n' "$${v}"`),
      ") 2>/dev/null",
    );
  }
  if (req.services.size > 0) {
    // Status checks run side by side (each is a separate rc script): results go to a scratch
    // directory and are printed in order.
    lines.push("svcdir=$(mktemp -d)");
    for (const s of [...req.services].sort()) {
      lines.push(
        `( if [ -x /etc/rc.d/${s} ] || [ -x /usr/local/etc/rc.d/${s} ]; then service ${s} onestatus >/dev/null 2>&1; printf 'svc${T}${s}${T}%s\\n' $?; else printf 'svc${T}${s}${T}missing\\n'; fi > "$svcdir/${s}" ) &`,
      );
    }
    lines.push('wait; cat "$svcdir"/* 2>/dev/null; rm -rf "$svcdir"');
  }
  if (req.files.size > 0) {
    const paths = [...req.files].sort().map(q).join(" ");
    lines.push(
      `for p in ${paths}; do if [ -e "$p" ] || [ -L "$p" ]; then printf 'file${T}%s${T}%s\\n' "$p" "$(ls -ld "$p" | awk '{print $1, $3, $4}')"; fi; done`,
      `set -- ; for p in ${paths}; do [ -f "$p" ] && [ ! -L "$p" ] && set -- "$@" "$p"; done`,
      `[ $# -gt 0 ] && openssl dgst -sha256 -r "$@" 2>/dev/null | sed 's/^\\([0-9a-f]*\\) \\*/sha${T}\\1${T}/'`,
    );
  }
  if (req.users.size > 0) {
    // passwd(5) lines: name:pw:uid:gid:gecos:home:shell, printed as pw usershow's layout.
    const names = [...req.users].sort().join(" ");
    lines.push(
      `awk -F: -v want=${q(` ${names} `)} 'index(want, " " $1 " ") { print "user${T}" $1 ":*:" $3 ":" $4 "::0:0:" $5 ":" $6 ":" $7 }' /etc/passwd`,
    );
  }
  if (req.groups.size > 0) {
    const names = [...req.groups].sort().join(" ");
    lines.push(
      `awk -F: -v want=${q(` ${names} `)} 'index(want, " " $1 " ") { print "group${T}" $1 ":*:" $3 ":" $4 }' /etc/group`,
    );
  }
  for (const v of [...req.venvs].sort()) {
    lines.push(
      `if [ -f ${q(v)}/pyvenv.cfg ]; then printf 'venv${T}%s\\n' ${q(v)}; for d in ${q(v)}/lib/python*/site-packages/*.dist-info; do [ -d "$d" ] && printf 'dist${T}%s${T}%s\\n' ${q(v)} "\${d##*/}"; done; fi`,
    );
  }
  if (req.postgres) {
    lines.push(
      "if [ -x /usr/local/etc/rc.d/postgresql ] && service postgresql onestatus >/dev/null 2>&1; then",
      "  echo 'pg\tup'",
      `  su -l postgres -c "psql -XqtA -F '${T}' -d postgres" 2>/dev/null <<'SQL'`,
      "select 'pgrole', rolname, rolcanlogin, coalesce(rolpassword, '') from pg_authid;",
      "select 'pgdb', d.datname, r.rolname, pg_encoding_to_char(d.encoding), d.datcollate, d.datctype from pg_database d join pg_roles r on r.oid = d.datdba;",
      "SQL",
      "fi",
    );
  }
  for (const c of [...req.certs].sort()) {
    lines.push(
      `if [ -f ${q(c)} ]; then printf 'cert${T}%s${T}%s${T}%s${T}%s\\n' ${q(c)} "$(openssl x509 -in ${q(c)} -noout -enddate 2>/dev/null | cut -d= -f2)" "$(openssl x509 -in ${q(c)} -noout -serial 2>/dev/null | cut -d= -f2)" "$(openssl x509 -in ${q(c)} -noout -subject 2>/dev/null | sed 's/^subject= *//')"; fi`,
    );
  }
  for (const [id, probe] of [...req.guards].sort()) {
    lines.push(`( ${probe} ) >/dev/null 2>&1; printf 'guard${T}${id}${T}%s\\n' $?`);
  }
  lines.push("exit 0");
  return `${lines.join("\n")}\n`;
}

function modeOf(perm: string): string {
  // ls -l permission string, e.g. -rwsr-x--- -> 4750
  const p = perm.slice(1, 10);
  const bit = (i: number, ch: string) => (p[i] === ch ? 1 : 0);
  const triple = (i: number) =>
    (p[i] === "r" ? 4 : 0) + (p[i + 1] === "w" ? 2 : 0) + ("xst".includes(p[i + 2] ?? "-") ? 1 : 0);
  const special =
    (bit(2, "s") || bit(2, "S")) * 4 +
    (bit(5, "s") || bit(5, "S")) * 2 +
    (bit(8, "t") || bit(8, "T"));
  return `${special}${triple(0)}${triple(3)}${triple(6)}`;
}

export function parseFacts(out: string, req: FactRequest): Facts {
  const facts: Facts = {
    os: { system: "", version: "" },
    pkgReady: false,
    packages: new Map(),
    rc: new Map(),
    services: new Map(),
    files: new Map([...req.files].map((f) => [f, null])),
    users: new Map([...req.users].map((u) => [u, null])),
    groups: new Map([...req.groups].map((g) => [g, null])),
    venvs: new Map([...req.venvs].map((v) => [v, null])),
    postgres: null,
    certs: new Map([...req.certs].map((c) => [c, null])),
    guards: new Map(),
  };
  const hashes = new Map<string, string>();
  for (const line of out.split("\n")) {
    const f = line.split(T);
    switch (f[0]) {
      case "os":
        if (f[1] === "system") facts.os.system = f[2] ?? "";
        if (f[1] === "version") facts.os.version = f[2] ?? "";
        if (f[1] === "ssh_client" && f[2]) facts.os.sshClient = f[2];
        break;
      case "pkg":
        facts.pkgReady = true;
        break;
      case "pkgq":
        facts.packages.set(f[1] ?? "", f[2] ?? "");
        break;
      case "pkgr":
        facts.repoVersions ??= new Map();
        facts.repoVersions.set(f[1] ?? "", f[2] ?? "");
        break;
      case "rc":
        facts.rc.set(f[1] ?? "", f.slice(2).join(T));
        break;
      case "svc":
        facts.services.set(f[1] ?? "", { installed: f[2] !== "missing", running: f[2] === "0" });
        break;
      case "file": {
        const [perm = "", owner = "", group = ""] = (f[2] ?? "").split(" ");
        const type: FileFact["type"] =
          perm[0] === "-"
            ? "file"
            : perm[0] === "d"
              ? "directory"
              : perm[0] === "l"
                ? "symlink"
                : "other";
        facts.files.set(f[1] ?? "", { type, mode: modeOf(perm), owner, group });
        break;
      }
      case "sha":
        hashes.set(f.slice(2).join(T), f[1] ?? "");
        break;
      case "user": {
        const [name = "", , uid = "", gid = "", , , , , home = "", shell = ""] = f
          .slice(1)
          .join(T)
          .split(":");
        facts.users.set(name, { uid: Number(uid), gid: Number(gid), home, shell });
        break;
      }
      case "group": {
        const [name = "", , gid = "", members = ""] = f.slice(1).join(T).split(":");
        facts.groups.set(name, { gid: Number(gid), members: members ? members.split(",") : [] });
        break;
      }
      case "venv":
        facts.venvs.set(f[1] ?? "", new Map());
        break;
      case "dist": {
        const m = /^(.+)-([^-]+)\.dist-info$/.exec(f[2] ?? "");
        if (m)
          facts.venvs
            .get(f[1] ?? "")
            ?.set((m[1] as string).toLowerCase().replace(/[-_.]+/g, "-"), m[2] as string);
        break;
      }
      case "pg":
        facts.postgres = { roles: new Map(), databases: new Map() };
        break;
      case "pgrole":
        facts.postgres?.roles.set(f[1] ?? "", { canLogin: f[2] === "t", verifier: f[3] ?? "" });
        break;
      case "pgdb":
        facts.postgres?.databases.set(f[1] ?? "", {
          owner: f[2] ?? "",
          encoding: f[3] ?? "",
          collate: f[4] ?? "",
          ctype: f[5] ?? "",
        });
        break;
      case "cert": {
        const notAfter = new Date(f[2] ?? "");
        if (!Number.isNaN(notAfter.getTime())) {
          const c: CertFact = { notAfter, serial: f[3] ?? "", subject: f[4] ?? "" };
          facts.certs.set(f[1] ?? "", c);
        }
        break;
      }
      case "guard":
        facts.guards.set(f[1] ?? "", Number(f[2]));
        break;
    }
  }
  for (const [path, fact] of facts.files) {
    if (fact && hashes.has(path)) fact.sha256 = hashes.get(path) as string;
  }
  return facts;
}

/** Runs the probe (one round trip) and refuses anything that is not FreeBSD. */
export async function gatherFacts(conn: Connector, req: FactRequest): Promise<Facts> {
  const r = await conn.exec(factScript(req), { timeoutMs: 120_000 });
  if (r.code !== 0) {
    throw new UserError(
      `host ${conn.name}: gathering facts failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" ")}`,
      {
        hint: "Check that the login user can run commands as root (ssh.become).",
      },
    );
  }
  const facts = parseFacts(r.stdout, req);
  if (facts.os.system !== "FreeBSD") {
    throw new UserError(
      `host ${conn.name} runs ${facts.os.system || "an unknown system"}, not FreeBSD: refusing to touch it`,
      {
        hint: "provision manages FreeBSD 14 and 15 hosts only; check the host's address in the inventory.",
      },
    );
  }
  return facts;
}
