import { defineFact, T } from "./kind.js";

export interface PgRoleFact {
  canLogin: boolean;
  /** SCRAM verifier (never a password); empty when the role has none. */
  verifier: string;
}

export interface PgDatabaseFact {
  owner: string;
  encoding: string;
  collate: string;
  ctype: string;
}

export interface PostgresFact {
  roles: Map<string, PgRoleFact>;
  databases: Map<string, PgDatabaseFact>;
}

/** Shell condition: the server runs (nothing can be asked otherwise). */
export const POSTGRES_UP =
  "[ -x /usr/local/etc/rc.d/postgresql ] && service postgresql onestatus >/dev/null 2>&1";

/** Roles and databases of the running server; null when PostgreSQL is not running. */
export const postgres = defineFact({
  tags: ["pg", "pgrole", "pgdb"],
  empty: () => false,
  script: (asked) =>
    asked
      ? [
          `if ${POSTGRES_UP}; then`,
          `  echo 'pg${T}up'`,
          `  su -l postgres -c "psql -XqtA -F '${T}' -d postgres" 2>/dev/null <<'SQL'`,
          "select 'pgrole', rolname, rolcanlogin, coalesce(rolpassword, '') from pg_authid;",
          "select 'pgdb', d.datname, r.rolname, pg_encoding_to_char(d.encoding), d.datcollate, d.datctype from pg_database d join pg_roles r on r.oid = d.datdba;",
          "SQL",
          "fi",
        ]
      : [],
  parse: (lines): PostgresFact | null => {
    if (!lines.some(([tag]) => tag === "pg")) return null;
    const fact: PostgresFact = { roles: new Map(), databases: new Map() };
    for (const [tag, name = "", a = "", b = "", c = "", d = ""] of lines) {
      if (tag === "pgrole") fact.roles.set(name, { canLogin: a === "t", verifier: b });
      if (tag === "pgdb") fact.databases.set(name, { owner: a, encoding: b, collate: c, ctype: d });
    }
    return fact;
  },
  fresh: (): PostgresFact | null => null,
});
