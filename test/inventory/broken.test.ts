import { copyFileSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sortDiagnostics } from "../../src/diagnostics.js";
import { loadInventory } from "../../src/inventory/load.js";
import { checkSecrets } from "../../src/secrets/check.js";
import { makeStore } from "../helpers/secrets.js";
import { EXPECTED } from "./broken-expected.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/broken");
const dir = mkdtempSync(join(tmpdir(), "provision-broken-"));
const savedEnv = process.env.PROVISION_AGE_IDENTITY_FILE;

/** Validates one fixture the way `provision validate` does, with a store that lacks only optional secrets. */
async function validateFixture(name: string): Promise<string[]> {
  const file = join(dir, name);
  copyFileSync(join(FIXTURES, name), file);
  const loaded = loadInventory(file);
  let diags = loaded.diagnostics;
  if (loaded.inventory) {
    await makeStore(loaded.inventory.secrets.file, join(dir, "identity.txt"), [
      "matrix",
      "matrix1",
      "matrix2",
    ]);
    const s = await checkSecrets(loaded.inventory, loaded.secretRefs, false);
    diags = sortDiagnostics([...diags, ...s.diagnostics]);
    for (const d of diags) d.summary = d.summary.replace(loaded.inventory.secrets.file, "<store>");
  }
  return diags.map((d) => {
    expect(d.range?.file).toBe(file);
    return `${d.range?.start.line}:${d.range?.start.column}: ${d.severity}: ${d.summary}`;
  });
}

describe("broken inventories", () => {
  beforeAll(() => {
    process.env.PROVISION_AGE_IDENTITY_FILE = join(dir, "identity.txt");
  });
  afterAll(() => {
    if (savedEnv === undefined) delete process.env.PROVISION_AGE_IDENTITY_FILE;
    else process.env.PROVISION_AGE_IDENTITY_FILE = savedEnv;
  });

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml"));
  it("has a corpus of at least 30 cases, each with expectations", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(EXPECTED).sort()).toEqual([...files].sort());
  });

  for (const name of files) {
    it(`${name}: exact messages and positions`, async () => {
      const got = await validateFixture(name);
      expect(got.length).toBeGreaterThan(0);
      expect(got.some((l) => l.includes(": error: "))).toBe(true);
      expect(got).toEqual(EXPECTED[name]);
    });
  }
});
