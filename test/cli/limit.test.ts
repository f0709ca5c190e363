import { describe, expect, it } from "vitest";
import { limitHosts } from "../../src/cli/limit.js";
import { UserError } from "../../src/errors.js";
import type { Host, Inventory } from "../../src/inventory/types.js";

const host = (name: string, groups: string[]): Host =>
  ({ name, groups: ["all", ...groups], config: {}, sshExplicit: [] }) as unknown as Host;
const inventory: Inventory = {
  file: "inv.yaml",
  hosts: [
    host("eu-matrix1", ["europe", "prod"]),
    host("eu-matrix2", ["europe", "staging"]),
    host("us-matrix1", ["america", "prod"]),
    host("us-matrix2", ["america", "staging"]),
  ],
  secrets: { file: "inv.secrets.age" },
};
const names = (p: string) => limitHosts(inventory, p).map((h) => h.name);

describe("--limit patterns (Ansible's host patterns)", () => {
  it("selects by host name, group, all and *", () => {
    expect(names("eu-matrix2")).toEqual(["eu-matrix2"]);
    expect(names("america")).toEqual(["us-matrix1", "us-matrix2"]);
    expect(names("all")).toHaveLength(4);
    expect(names("*")).toHaveLength(4);
  });

  it("unions comma and colon lists, in inventory order", () => {
    expect(names("us-matrix2,eu-matrix1")).toEqual(["eu-matrix1", "us-matrix2"]);
    expect(names("europe:us-matrix1")).toEqual(["eu-matrix1", "eu-matrix2", "us-matrix1"]);
  });

  it("matches globs and ~regular expressions against host and group names", () => {
    expect(names("eu-*")).toEqual(["eu-matrix1", "eu-matrix2"]);
    expect(names("*matrix1")).toEqual(["eu-matrix1", "us-matrix1"]);
    expect(names("~^us-matrix[0-9]$")).toEqual(["us-matrix1", "us-matrix2"]);
    expect(names("stag*")).toEqual(["eu-matrix2", "us-matrix2"]);
  });

  it("matches fnmatch character classes as Ansible does: [12], [0-9], [!1]", () => {
    expect(names("*-matrix[2]")).toEqual(["eu-matrix2", "us-matrix2"]);
    expect(names("eu-matrix[0-9]")).toEqual(["eu-matrix1", "eu-matrix2"]);
    expect(names("us-matrix[!1]")).toEqual(["us-matrix2"]);
    expect(() => names("eu.matrix?")).toThrow(/matches no host/); // the dot is literal
  });

  it("intersects with & and excludes with !, whatever the order", () => {
    expect(names("prod:&europe")).toEqual(["eu-matrix1"]);
    expect(names("!staging,all")).toEqual(["eu-matrix1", "us-matrix1"]);
    expect(names("!eu-matrix1")).toEqual(["eu-matrix2", "us-matrix1", "us-matrix2"]);
  });

  it("refuses a name that matches nothing, with did-you-mean and the names that exist", () => {
    expect(() => names("eu-matrx1")).toThrow(UserError);
    try {
      names("eu-matrx1");
    } catch (err) {
      expect((err as UserError).message).toBe(
        "--limit: 'eu-matrx1' matches no host or group in inv.yaml",
      );
      expect((err as UserError).hint).toContain("Did you mean 'eu-matrix1'?");
    }
    expect(() => names("prod,!prod")).toThrow("leaves no host");
    expect(() => names("~[")).toThrow("not a valid regular expression");
    expect(() => names(" , ")).toThrow("needs a host");
  });
});
