import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyRequest, type Facts, freshFacts } from "../../src/facts/types.js";
import {
  fingerprint,
  flattenFacts,
  planDrift,
  readSavedPlan,
  savedPlan,
  writeSavedPlan,
} from "../../src/plan/saved.js";
import type { HostSession } from "../../src/plan/session.js";
import type { Change } from "../../src/resources/types.js";

const SECRET = "s3cret-password-value";
const facts = (): Facts => {
  const req = emptyRequest();
  req.files.add("/etc/resolv.conf");
  const f = freshFacts(req);
  f.postgres = {
    roles: new Map([["synapse", { canLogin: true, verifier: `SCRAM-SHA-256$4096:${SECRET}` }]]),
    databases: new Map(),
  } as unknown as Facts["postgres"];
  return f;
};
const change = (content: string): Change => ({
  address: "file /usr/local/etc/x.yaml",
  type: "file",
  name: "/usr/local/etc/x.yaml",
  recipe: "synapse",
  action: "create",
  summary: "create",
  sensitive: true,
  notify: [],
  steps: [
    {
      kind: "write",
      description: "write",
      path: "/x",
      content,
      owner: "root",
      group: "wheel",
      mode: "0640",
    },
    {
      kind: "exec",
      description: "set the role's password",
      script: `ALTER ROLE x PASSWORD '${SECRET}'`,
    },
  ],
});
const session = (f: Facts, changes: Change[]): HostSession =>
  ({
    host: { name: "matrix1" },
    plan: {
      host: "matrix1",
      address: "192.0.2.1",
      system: "FreeBSD",
      changes,
      diagnostics: [],
      notes: [],
    },
    facts: f,
  }) as unknown as HostSession;

describe("saved plans", () => {
  it("keeps facts as readable paths and only hashes of secret-derived values", () => {
    const flat = flattenFacts(facts());
    expect(flat["files[/etc/resolv.conf].owner"]).toBe("root");
    expect(flat["postgres.roles[synapse].verifier"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(flat)).not.toContain(SECRET);
  });

  it("writes the file mode 0600 with no secret in it, and reads it back", () => {
    const dir = mkdtempSync(join(tmpdir(), "provision-saved-"));
    const file = join(dir, "plan.json");
    writeSavedPlan(file, savedPlan([session(facts(), [change(`password: ${SECRET}`)])], "1.2.3"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).not.toContain(SECRET);
    const back = readSavedPlan(file);
    expect(back.hosts[0]?.changes).toEqual([
      { address: "file /usr/local/etc/x.yaml", action: "create", summary: "create" },
    ]);
    expect(() => readSavedPlan(join(dir, "inv.yaml"))).toThrow(/cannot read the saved plan/);
  });

  it("finds no drift for the same facts and changes, and names what changed otherwise", () => {
    const saved = savedPlan([session(facts(), [change("a")])], "1").hosts[0];
    if (!saved) throw new Error("no host");
    expect(planDrift(saved, session(facts(), [change("a")]))).toBeUndefined();
    const moved = facts();
    moved.files.set("/etc/resolv.conf", {
      type: "file",
      mode: "0600",
      owner: "root",
      group: "wheel",
    });
    expect(planDrift(saved, session(moved, [change("a")]))?.facts).toEqual([
      "files[/etc/resolv.conf].mode: 0644 -> 0600",
    ]);
    // Same facts, other content (a secret or the inventory changed): the plan is not the same.
    expect(planDrift(saved, session(facts(), [change("b")]))).toEqual({
      host: "matrix1",
      facts: [],
      changesDiffer: true,
    });
  });

  it("fingerprints changes by what they do, not by a freshly salted script", () => {
    const salted = change("a");
    const other = {
      ...salted,
      steps: salted.steps.map((s) => (s.kind === "exec" ? { ...s, script: "other salt" } : s)),
    };
    expect(fingerprint([other])).toBe(fingerprint([salted]));
  });
});
