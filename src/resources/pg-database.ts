import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, required } from "./descriptor.js";
import { ident, literal, psql } from "./psql.js";
import { change, type Planned, planned, type Resource, refused } from "./types.js";

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

  plan(facts: Facts): Planned {
    const cur = facts.postgres?.databases.get(this.name);
    if (!cur) {
      const sql = `SELECT 'CREATE DATABASE ${ident(this.name)} OWNER ${ident(this.owner)} ENCODING ''UTF8'' LC_COLLATE ''C'' LC_CTYPE ''C'' TEMPLATE template0' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(this.name)}) \\gexec`;
      return planned(
        change(this, "create", `owner ${this.owner}, UTF8, C collation and ctype`, [
          { kind: "exec", description: `database ${this.name}`, script: psql(sql) },
        ]),
      );
    }
    if (cur.encoding !== "UTF8" || cur.collate !== "C" || cur.ctype !== "C") {
      return refused(
        change(
          this,
          "update",
          `encoding ${cur.encoding}, collate ${cur.collate}, ctype ${cur.ctype}`,
          [],
        ),
        `database ${this.name} exists with encoding ${cur.encoding}, LC_COLLATE ${cur.collate} and LC_CTYPE ${cur.ctype}; Synapse needs UTF8 and C. Dump it, drop it and apply again to recreate it, then restore.`,
      );
    }
    if (cur.owner === this.owner) return planned(null);
    return planned(
      change(this, "update", `owner ${cur.owner} -> ${this.owner}`, [
        {
          kind: "exec",
          description: `owner of ${this.name}`,
          script: psql(`ALTER DATABASE ${ident(this.name)} OWNER TO ${ident(this.owner)};`),
        },
      ]),
    );
  }
}

export const pgDatabaseType = defineResource({
  type: "pg_database",
  name: "text",
  props: { owner: required("text") },
  build: (e, r) => [
    new PgDatabaseResource(r.text(e.name), e.recipe, r.text(e.props.owner), e.notify),
  ],
});
