// Resource types from data fixtures (test/fixtures/resources/*.yaml), as pyinfra's
// tests/operations/*.json: a recipe entry and the host's probe answer in, the planned changes
// and diagnostics out. Entries go through the real recipe loader and the type's builder.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseFacts } from "../../src/facts/gather.js";
import { emptyRequest } from "../../src/facts/types.js";
import { loadRecipe } from "../../src/recipes/load.js";
import { buildContext } from "../../src/render/context.js";
import { resourcesFor } from "../../src/resources/factory.js";
import { RESOURCE_REGISTRY } from "../../src/resources/registry.js";
import { type Change, initialState, type PlanState } from "../../src/resources/types.js";
import { ROOT } from "../helpers/cli.js";
import { plain, probeOutput } from "../helpers/facts.js";
import { fixedSecrets, hostsFrom } from "../helpers/render.js";

interface ResourceCase {
  it: string;
  /** One recipe entry, as a recipe writes it. */
  entry: Record<string, unknown>;
  handlers?: Record<string, unknown>;
  /** The host's answer to the probe: one list of tab-separated fields per line. */
  probe?: (string | number)[][];
  /** Planning state before this entry (default: from the facts). */
  state?: Partial<PlanState>;
  /** Facts the entry asks for, by kind (Sets and Maps written as lists and mappings). */
  request?: Record<string, unknown>;
  expect: {
    changes: (Partial<Change> | null)[];
    diagnostics?: object[];
    state?: object;
    /** Keys no change may have. */
    absent?: string[];
  };
}

const DIR = join(ROOT, "test/fixtures/resources");
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({
    file: f,
    data: parse(readFileSync(join(DIR, f), "utf8")) as { type: string; cases: ResourceCase[] },
  }));
const [host] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));
if (!host) throw new Error("no host");
const ctx = buildContext(host, fixedSecrets());

function plan(c: ResourceCase) {
  const dir = mkdtempSync(join(tmpdir(), "provision-recipe-"));
  writeFileSync(
    join(dir, "fixture.yaml"),
    stringify({ resources: [c.entry], ...(c.handlers ? { handlers: c.handlers } : {}) }),
  );
  const resources = resourcesFor(loadRecipe("fixture", [], dir), ctx).flatMap((p) => p.resources);
  const req = emptyRequest();
  for (const r of resources) r.request(req);
  const facts = parseFacts(probeOutput(c.probe ?? []), req);
  let state: PlanState = { ...initialState(facts), ...c.state };
  const changes: (Change | null)[] = [];
  const diagnostics: object[] = [];
  for (const r of resources) {
    const p = r.plan(facts, state);
    state = { ...state, ...p.state };
    changes.push(p.change);
    diagnostics.push(...p.diagnostics);
  }
  return { req, changes, diagnostics, state };
}

describe("resource types (fixtures)", () => {
  it("has a fixture for every registered type", () => {
    expect(fixtures.map((f) => f.data.type).sort()).toEqual(
      RESOURCE_REGISTRY.map((t) => t.type).sort(),
    );
  });
  for (const { file, data } of fixtures) {
    describe(`${data.type} (${file})`, () => {
      for (const c of data.cases) {
        it(c.it, () => {
          const got = plan(c);
          for (const [kind, want] of Object.entries(c.request ?? {}))
            expect(plain(got.req[kind as keyof typeof got.req])).toEqual(want);
          expect(got.changes).toMatchObject(c.expect.changes);
          expect(got.diagnostics).toMatchObject(c.expect.diagnostics ?? []);
          if (c.expect.state) expect(got.state).toMatchObject(c.expect.state);
          for (const key of c.expect.absent ?? [])
            for (const ch of got.changes) expect(ch ?? {}).not.toHaveProperty(key);
        });
      }
    });
  }
});
