import { createHmac } from "node:crypto";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, required } from "./descriptor.js";
import { ident, literal, psql, scramVerifier, verifierMatches } from "./psql.js";
import { change, type Planned, planned, type Resource } from "./types.js";

/**
 * The salt of the verifier planned for a role: derived from the stored password and the role
 * name (HMAC), not drawn at random, so that planning stays pure and the same inputs give the
 * same plan. The password never reaches the host, so the verifier has to be computed here;
 * passwords come from the secrets store (generated, high-entropy), where a salt's job is to keep
 * equal passwords of different roles apart, which the role name does.
 */
export function roleSalt(password: string, role: string): Buffer {
  return createHmac("sha256", password).update(`pg_role salt\0${role}`).digest().subarray(0, 16);
}

/** A login role whose password is the secrets store's, stored as a SCRAM-SHA-256 verifier. */
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

  plan(facts: Facts): Planned {
    const cur = facts.postgres?.roles.get(this.name);
    if (cur?.canLogin && verifierMatches(cur.verifier, this.password)) return planned(null);
    const verifier = scramVerifier(this.password, roleSalt(this.password, this.name));
    const sql = [
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(this.name)}) THEN CREATE ROLE ${ident(this.name)}; END IF; END $$;`,
      `ALTER ROLE ${ident(this.name)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(verifier)};`,
    ].join("\n");
    const why = !cur
      ? "login role with password (SCRAM-SHA-256)"
      : !cur.canLogin
        ? "allow login"
        : "password differs from the secrets store";
    return planned(
      change(this, cur ? "update" : "create", why, [
        { kind: "exec", description: `role ${this.name}`, script: psql(sql) },
      ]),
    );
  }
}

export const pgRoleType = defineResource({
  type: "pg_role",
  name: "text",
  props: {
    /** The secrets store entry holding the password. */
    password_secret: required("text"),
  },
  build: (e, r) => [
    new PgRoleResource(
      r.text(e.name),
      e.recipe,
      r.secret(r.text(e.props.password_secret)),
      e.notify,
    ),
  ],
});
