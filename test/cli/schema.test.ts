import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT } from "../helpers/cli.js";

describe("provision schema", () => {
  it("prints the published inventory schema, so an inventory outside this repository can use it", () => {
    const r = cli(["schema"], { cwd: "/" });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(readFileSync(join(ROOT, "schema/inventory.schema.json"), "utf8"));
    expect(JSON.parse(r.stdout).properties.all).toBeDefined();
  });
});
