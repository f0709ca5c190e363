import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import type { FactRequest, Facts } from "../facts/types.js";
import { type Change, change, type Resource } from "./types.js";

const ITERATIONS = 4096;

/** A PostgreSQL SCRAM-SHA-256 verifier for a password (what ALTER ROLE ... PASSWORD stores). */
export function scramVerifier(
  password: string,
  salt = randomBytes(16),
  iterations = ITERATIONS,
): string {
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Whether a stored verifier was made from this password (no password ever leaves this machine). */
export function verifierMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const expected = scramVerifier(password, Buffer.from(m[2] as string, "base64"), Number(m[1]));
  return (
    expected.length === verifier.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(verifier))
  );
}

/** psql as the postgres superuser, statements on standard input, stopping at the first error. */
export function psql(sql: string): string {
  return `su -l postgres -c 'psql -Xq -v ON_ERROR_STOP=1 -d postgres' <<'PROVISION_SQL'\n${sql}\nPROVISION_SQL`;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class PgRoleResource implements Resource {
  readonly type = "pg_role";
  constructor(
    readonly name: string,
    readonly recipe: string,
    private readonly password: string,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.postgres = true;
  }

  plan(facts: Facts): Change | null {
    const cur = facts.postgres?.roles.get(this.name);
    if (cur?.canLogin && verifierMatches(cur.verifier, this.password)) return null;
    const sql = [
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(this.name)}) THEN CREATE ROLE ${ident(this.name)}; END IF; END $$;`,
      `ALTER ROLE ${ident(this.name)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(scramVerifier(this.password))};`,
    ].join("\n");
    const why = !cur
      ? "login role with password (SCRAM-SHA-256)"
      : !cur.canLogin
        ? "allow login"
        : "password differs from the secrets store";
    return change(this, cur ? "update" : "create", why, [
      { kind: "exec", description: `role ${this.name}`, script: psql(sql) },
    ]);
  }
}

/** A database as Synapse requires: UTF8, LC_COLLATE and LC_CTYPE C, created from template0. */
export class PgDatabaseResource implements Resource {
  readonly type = "pg_database";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly owner: string,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.postgres = true;
  }

  plan(facts: Facts): Change | null {
    const cur = facts.postgres?.databases.get(this.name);
    if (!cur) {
      const sql = `SELECT 'CREATE DATABASE ${ident(this.name)} OWNER ${ident(this.owner)} ENCODING ''UTF8'' LC_COLLATE ''C'' LC_CTYPE ''C'' TEMPLATE template0' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(this.name)}) \\gexec`;
      return change(this, "create", `owner ${this.owner}, UTF8, C collation and ctype`, [
        { kind: "exec", description: `database ${this.name}`, script: psql(sql) },
      ]);
    }
    if (cur.encoding !== "UTF8" || cur.collate !== "C" || cur.ctype !== "C") {
      return change(
        this,
        "update",
        `encoding ${cur.encoding}, collate ${cur.collate}, ctype ${cur.ctype}`,
        [],
        {
          error: `database ${this.name} exists with encoding ${cur.encoding}, LC_COLLATE ${cur.collate} and LC_CTYPE ${cur.ctype}; Synapse needs UTF8 and C. Dump it, drop it and apply again to recreate it, then restore.`,
        },
      );
    }
    if (cur.owner !== this.owner) {
      return change(this, "update", `owner ${cur.owner} -> ${this.owner}`, [
        {
          kind: "exec",
          description: `owner of ${this.name}`,
          script: psql(`ALTER DATABASE ${ident(this.name)} OWNER TO ${ident(this.owner)};`),
        },
      ]);
    }
    return null;
  }
}
