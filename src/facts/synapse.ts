import { parse } from "yaml";
import { q } from "../connector/quote.js";
import { defineFact, T } from "./kind.js";
import { POSTGRES_UP } from "./postgres.js";

export interface SynapseFact {
  /** server_name of the installed homeserver.yaml; undefined when there is none. */
  serverName?: string;
  /** Synapse's database holds accounts (its users table has rows). */
  hasUsers: boolean;
}

export interface SynapseRequest {
  /** homeserver.yaml to read server_name from. */
  config?: string;
  /** Synapse's database. */
  database?: string;
}

/** psql's quoting of a backslash-command argument: single quotes, a quote doubled. */
const psqlArg = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The server_name the host runs now, and whether its database already holds accounts. Read-only. */
export const synapse = defineFact({
  tags: ["synapse"],
  empty: (): SynapseRequest => ({}),
  script: (req) => [
    ...(req.config
      ? [
          // The first top-level server_name (trusted_key_servers entries are indented).
          `[ -f ${q(req.config)} ] && awk '/^server_name:/ { sub(/^server_name:/, ""); print "synapse${T}server_name${T}" $0; exit }' ${q(req.config)}`,
        ]
      : []),
    // A missing database or table prints nothing: no accounts.
    ...(req.database
      ? [
          `if ${POSTGRES_UP}; then`,
          `  su -l postgres -c "psql -XqtA -F '${T}' -d postgres" 2>/dev/null <<'SQL'`,
          `\\connect ${psqlArg(req.database)}`,
          "select 'synapse', 'users', exists (select 1 from users);",
          "SQL",
          "fi",
        ]
      : []),
  ],
  parse: (lines): SynapseFact => {
    const fact: SynapseFact = { hasUsers: false };
    for (const [, key, ...rest] of lines) {
      const value = rest.join(T);
      if (key === "users") fact.hasUsers = value === "t";
      if (key === "server_name") {
        let name: unknown;
        try {
          name = parse(value);
        } catch {
          name = value.trim();
        }
        if (typeof name === "string" && name) fact.serverName = name;
      }
    }
    return fact;
  },
  fresh: (): SynapseFact => ({ hasUsers: false }),
});
