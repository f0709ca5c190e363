// upgrade-postgres refuses bad options before reading the inventory or contacting a host
// (runs the built CLI: npm run build first).
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";

const run = (...args: string[]) =>
  cli(["upgrade-postgres", "--host", "matrix", "-i", "/nonexistent/inventory.yaml", ...args]);

describe("provision upgrade-postgres options", () => {
  it("--to banana: says banana is not a PostgreSQL major", () => {
    const r = run("--to", "banana");
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toContain("error: --to banana: 'banana' is not a PostgreSQL major version");
    expect(r.stderr).not.toContain("is required");
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it("--cleanup --dump-dir /var/db/postgres: refused before anything is read or contacted", () => {
    const r = run("--cleanup", "--yes", "--dump-dir", "/var/db/postgres");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error: --dump-dir /var/db/postgres refused: /var/db/postgres is a directory provision manages",
    );
    expect(r.stderr).not.toContain("inventory");
  });

  it("--no-dump without --rollback, and --rollback with --cleanup, are refused", () => {
    expect(run("--to", "17", "--no-dump").stderr).toContain("--no-dump goes with --rollback only");
    expect(run("--rollback", "--cleanup").stderr).toContain("exclude each other");
  });
});
