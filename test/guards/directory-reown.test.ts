import { describe, expect, it } from "vitest";
import { directoryReown } from "../../src/guards/directory-reown.js";
import { facts } from "../helpers/facts.js";
import { host, planned } from "./common.js";

const reown = (path: string) =>
  planned({
    type: "directory",
    name: path,
    reowns: { path, from: "root:wheel", to: "postgres:postgres" },
  });

describe("directory-reown", () => {
  it("never re-owns a directory provision did not create (backup.dir: /)", () => {
    expect(directoryReown.check(host(), facts(), [reown("/")], {})).toEqual([
      {
        severity: "error",
        summary:
          "matrix: directory /: / already exists, owned by root:wheel, and provision did not create it; it will not re-own it to postgres:postgres",
        detail:
          "Point the inventory at a directory of its own (one that does not exist yet), or chown / to postgres:postgres yourself if it really is meant for this.",
      },
    ]);
  });
  it("re-owns one it created (recorded on the host), and ignores changes that re-own nothing", () => {
    const f = facts({ createdDirs: new Set(["/var/db/postgres/backups"]) });
    expect(directoryReown.check(host(), f, [reown("/var/db/postgres/backups")], {})).toEqual([]);
    expect(
      directoryReown.check(host(), facts(), [planned({ type: "directory", name: "/x" })], {}),
    ).toEqual([]);
  });
});
