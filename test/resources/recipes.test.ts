// Recipes are checked against their resource types' descriptors when loaded: a wrong key or
// value is an error naming the recipe file, line and column.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRecipe, RECIPES_DIR } from "../../src/recipes/load.js";

function load(text: string, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "provision-recipe-"));
  writeFileSync(join(dir, "r.yaml"), text);
  for (const [name, t] of Object.entries(extra)) writeFileSync(join(dir, `${name}.yaml`), t);
  return () => loadRecipe("r", [], dir);
}

describe("recipe loading", () => {
  it("loads every shipped recipe", () => {
    for (const f of readdirSync(RECIPES_DIR).filter((x) => x.endsWith(".yaml")))
      expect(() => loadRecipe(f.replace(/\.yaml$/, ""))).not.toThrow();
  });
  it("refuses an unknown key, naming the file, line and column", () => {
    const f = load(
      "resources:\n  - file: /etc/x\n    template: base/x\n    owner: root\n    group: wheel\n    mode: '0644'\n    mdoe: '0600'\n",
    );
    expect(f).toThrow(
      /r\.yaml:7:5: unknown key 'mdoe' in a file resource \(allowed: file, template,/,
    );
  });
  it("refuses a missing required key and a value of the wrong kind", () => {
    expect(load("resources:\n  - directory: /x\n    owner: root\n    group: wheel\n")).toThrow(
      /r\.yaml:2:5: a directory resource needs 'mode'/,
    );
    expect(load("resources:\n  - group: g\n    gid: abc\n")).toThrow(
      /r\.yaml:3:10: a group resource: gid: expected an integer/,
    );
    expect(load("resources:\n  - sysrc: [a, b]\n")).toThrow(
      /r\.yaml:2:12: sysrc: expected a mapping of names to strings/,
    );
  });
  it("tells a type key from a prop of the same name (a file's group)", () => {
    const r = load(
      "resources:\n  - file: /etc/x\n    template: base/x\n    owner: root\n    group: wheel\n    mode: '0644'\n",
    )();
    expect(r.resources[0]).toMatchObject({
      type: "file",
      name: "/etc/x",
      source: expect.stringMatching(/r\.yaml:2:5$/),
    });
    expect(load("resources:\n  - service: a\n    pkg: b\n")).toThrow(
      /several types \(service, pkg\)/,
    );
    expect(load("resources:\n  - packages: [a]\n")).toThrow(
      /r\.yaml:2:5: resource 1 has no known type/,
    );
  });
  it("refuses unknown recipe keys, bad handlers and notifications of unknown handlers", () => {
    expect(load("resourcse: []\n")).toThrow(/r\.yaml:1:1: unknown key 'resourcse'/);
    expect(load("resources: {file: x}\n")).toThrow(/r\.yaml:1:12: resources: expected a list/);
    expect(load("description: empty\nresources:\n")().parts).toEqual([]);
    expect(load("handlers:\n  h: { service: x }\n")).toThrow(
      /r\.yaml:2:6: handler 'h' needs service and action, or command/,
    );
    expect(load("resources:\n  - service: a\n    notify: [nope]\n")).toThrow(
      /r\.yaml:2:5: service notifies unknown handler 'nope'/,
    );
  });
  it("names the included recipe where its error is", () => {
    expect(
      load("include: [inc]\n", { inc: "resources:\n  - service: a\n    when: 1\n    extra: 2\n" }),
    ).toThrow(/inc\.yaml:4:5: unknown key 'extra'/);
  });
});
