import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GUARDS, runGuards } from "../../src/guards/index.js";
import { facts } from "../helpers/facts.js";
import { host, planned } from "./common.js";

describe("the guard list", () => {
  it("names each guard once, each with its own file and unit test", () => {
    const names = GUARDS.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(existsSync(join(import.meta.dirname, `../../src/guards/${n}.ts`)), n).toBe(true);
      expect(existsSync(join(import.meta.dirname, `${n}.test.ts`)), n).toBe(true);
    }
  });
  it("runs every guard over the plan, passing the options on", () => {
    const h = host({ versions: { ...host().config.versions, synapse: "1.150.0" } });
    const f = facts({
      packages: new Map([["postgresql13-server", "13.23"]]),
      venvs: new Map([
        ["/usr/local/lib/matrix-synapse/venv", new Map([["matrix-synapse", "1.157.0"]])],
      ]),
    });
    const changes = [planned({ type: "pip", name: "matrix-synapse==1.150.0" })];
    expect(runGuards(h, f, changes).map((d) => d.severity)).toEqual(["error", "error"]);
    expect(runGuards(h, f, changes, { allowDowngrade: true })).toHaveLength(1);
  });
});
