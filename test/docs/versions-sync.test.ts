import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  acceptedEndOfLifePostgresql,
  NEWEST_POSTGRESQL,
  SUPPORTED_POSTGRESQL,
  SUPPORTED_PYTHON,
  supportText,
} from "../../src/versions.js";
import { ROOT } from "../helpers/cli.js";

describe("one source of truth for supported versions", () => {
  it("schema descriptions and README's table state what src/versions.ts supports", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts/sync-versions.mjs"), "--check"], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(supportText().python);
    const schema = JSON.parse(readFileSync(join(ROOT, "schema/inventory.schema.json"), "utf8"));
    const v = schema.definitions.hostVars.properties.versions.properties;
    expect(v.python.description).toContain(`${SUPPORTED_PYTHON[0]} to ${SUPPORTED_PYTHON.at(-1)}`);
    expect(v.postgresql.description).toContain(
      `${SUPPORTED_POSTGRESQL[0]} to ${SUPPORTED_POSTGRESQL.at(-1)}`,
    );
  });

  it("names the newest supported major for upgrades and lists the end-of-life ones it accepts", () => {
    expect(NEWEST_POSTGRESQL).toBe(Math.max(...SUPPORTED_POSTGRESQL));
    for (const m of acceptedEndOfLifePostgresql()) expect(SUPPORTED_POSTGRESQL).not.toContain(m);
    expect(supportText().postgresql).toContain(acceptedEndOfLifePostgresql().join(" and "));
  });
});
