import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { writeFleetInventory } from "./fleet-inventory.js";

const dir = mkdtempSync(join(tmpdir(), "provision-limit-cli-"));
writeFleetInventory(join(dir, "inv.yaml"), 8);
const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
const run = (args: string[]) => cli([...args, "-i", "inv.yaml"], { cwd: dir, env });
const plannedHosts = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === "change_summary")
    .map((e) => e.host);

describe("--limit on the host commands", () => {
  it("plan selects groups, globs and exclusions as Ansible does", () => {
    const plan = (limit: string) =>
      plannedHosts(run(["plan", "--assume-fresh", "--json", "--limit", limit]).stdout);
    expect(plan("europe")).toEqual(["europe-0000", "europe-0004"]);
    expect(plan("europe,asia-0002")).toEqual(["asia-0002", "europe-0000", "europe-0004"]);
    expect(plan("all,!america,!asia")).toEqual([
      "africa-0003",
      "africa-0007",
      "europe-0000",
      "europe-0004",
    ]);
    expect(plan("*-000[0-3]")).toHaveLength(4);
    expect(plannedHosts(run(["plan", "--assume-fresh", "--json", "-l", "asia"]).stdout)).toEqual([
      "asia-0002",
      "asia-0006",
    ]);
  });

  it("render writes only the selected hosts", () => {
    expect(run(["secrets", "init"]).code).toBe(0);
    const r = run(["render", "--out", "out", "--limit", "africa", "--json"]);
    expect(r.code).toBe(0);
    const rendered = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "rendered")
      .map((e) => e.host);
    expect(rendered).toEqual(["africa-0003", "africa-0007"]);
  });

  it("every host command refuses a pattern that matches nothing, with a suggestion, before contacting anything", () => {
    for (const c of [
      ["plan", "--assume-fresh"],
      ["plan"],
      ["apply", "--yes"],
      ["render", "--out", "o"],
      ["renew-certs"],
    ]) {
      const r = run([...c, "--limit", "europa"]);
      expect(r.code, c.join(" ")).toBe(1);
      expect(r.stderr, c.join(" ")).toMatch(
        /^error: --limit: 'europa' matches no host or group in inv\.yaml\n {2}Did you mean 'europe'\?/,
      );
      expect(r.stdout, c.join(" ")).toBe("");
    }
  });

  it("--host and --limit exclude each other", () => {
    for (const c of [
      ["plan", "--assume-fresh"],
      ["apply", "--yes"],
      ["render", "--out", "o"],
      ["renew-certs"],
    ]) {
      const r = run([...c, "--host", "asia-0002", "--limit", "asia"]);
      expect(r.code, c.join(" ")).toBe(1);
      expect(r.stderr, c.join(" ")).toBe(
        "error: --host and --limit exclude each other\n  --host NAME is a shorthand for --limit NAME: keep one of them.\n",
      );
    }
  });
});
