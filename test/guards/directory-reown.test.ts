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
  it("never changes the mode of a directory the inventory names that provision did not create", () => {
    const remode = planned({
      type: "directory",
      name: "/srv/shared",
      remodes: { path: "/srv/shared", from: "root:wheel 0755", to: "0700" },
    });
    expect(directoryReown.check(host(), facts(), [remode], {})).toEqual([
      {
        severity: "error",
        summary:
          "matrix: directory /srv/shared: /srv/shared already exists (root:wheel 0755) and provision did not create it; it will not change its mode to 0700",
        detail:
          "Point the inventory at a directory of its own (one that does not exist yet), or chmod 0700 /srv/shared yourself if it really is meant for this.",
      },
    ]);
    const f = facts({ createdDirs: new Set(["/srv/shared"]) });
    expect(directoryReown.check(host(), f, [remode], {})).toEqual([]);
  });
});
