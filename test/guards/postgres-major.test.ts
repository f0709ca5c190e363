import { describe, expect, it } from "vitest";
import { NEWEST_POSTGRESQL, postgresMajor } from "../../src/guards/postgres-major.js";
import { SUPPORTED_POSTGRESQL } from "../../src/versions.js";
import { facts } from "../helpers/facts.js";
import { host } from "./common.js";

const installed = (pkg: string) => facts({ packages: new Map([[pkg, "1"]]) });
const pg = (postgresql: number) => host({ versions: { ...host().config.versions, postgresql } });

describe("postgres-major", () => {
  it("refuses to swap majors, pointing at upgrade-postgres or at the installed major", () => {
    expect(postgresMajor.check(pg(17), installed("postgresql13-server"), [], {})).toEqual([
      {
        severity: "error",
        summary:
          "matrix: PostgreSQL 13 is installed but the inventory asks for 17; apply does not swap majors (that would drop the cluster)",
        detail: "Move the data first: `provision upgrade-postgres --host matrix --to 17`.",
      },
    ]);
    expect(postgresMajor.check(pg(16), installed("postgresql17-server"), [], {})[0]?.detail).toBe(
      "Set versions.postgresql to 17 in the inventory.",
    );
  });
  it("warns about an end-of-life major, naming the newest supported one", () => {
    expect(NEWEST_POSTGRESQL).toBe(Math.max(...SUPPORTED_POSTGRESQL));
    expect(postgresMajor.check(pg(13), installed("postgresql13-server"), [], {})).toEqual([
      {
        severity: "warning",
        summary: "matrix: PostgreSQL 13 is end of life since 2025-11-13",
        detail: `Upgrade with \`provision upgrade-postgres --host matrix --to ${NEWEST_POSTGRESQL}\`.`,
      },
    ]);
  });
  it("is quiet for the wanted, supported major or no server at all", () => {
    expect(postgresMajor.check(pg(17), installed("postgresql17-server"), [], {})).toEqual([]);
    expect(postgresMajor.check(pg(17), installed("postgresql17-client"), [], {})).toEqual([]);
  });
});
