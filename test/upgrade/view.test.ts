// upgrade-postgres's views (text and NDJSON events) and its option checks.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseTargetMajor, preflight } from "../../src/upgrade/preflight.js";
import type { HostState } from "../../src/upgrade/state.js";
import { upgrade } from "../../src/upgrade/upgrade.js";
import { Output } from "../../src/views/output.js";
import { upgradeView } from "../../src/views/upgrade.js";
import { FakeConnector, session, stateAnswer } from "./fake-host.js";

async function capture(json: boolean): Promise<string> {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d) => {
    text += String(d);
  });
  const out = new Output({ json, color: false, version: "0.0.0-test" }, stream, stream);
  const conn = new FakeConnector([
    stateAnswer({ installed: 13 }),
    ["tables and versions match", { stdout: "4 tables and versions match\n" }],
  ]);
  await upgrade(
    { ...session(conn), emit: upgradeView(out) },
    { to: 17, dumpDir: "/var/db/postgres/upgrade" },
  );
  return text;
}

describe("upgrade-postgres views", () => {
  it("--json: one NDJSON event per line, with @level and @message like the plan's", async () => {
    const events = (await capture(true))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // The stream opens with its format version, as every command's --json does.
    expect(events.shift()).toMatchObject({ type: "version", format_version: "1.0" });
    expect(events[0]).toMatchObject({
      "@level": "info",
      "@message": "matrix: PostgreSQL 13 -> 17",
      type: "upgrade_plan",
      from: 13,
      to: 17,
    });
    const phases = events.filter((e) => e.type === "upgrade_phase");
    expect(phases.map((e) => e.status)).toEqual(
      Array.from({ length: phases.length / 2 }).flatMap(() => ["started", "completed"]),
    );
    expect(phases.find((e) => e.name === "verified")).toBeDefined();
    expect(events.at(-1)).toMatchObject({ type: "upgrade_result", outcome: "upgraded" });
  });

  it("text: the plan, one line per phase, their output, the outcome", async () => {
    const text = await capture(false);
    expect(text).toContain("matrix: PostgreSQL 13 -> 17\n");
    expect(text).toContain("matrix: [1/16] fetch the new PostgreSQL packages");
    expect(text).toContain("matrix:     4 tables and versions match\n");
    expect(text).toContain("matrix: PostgreSQL 17 serves every row the old cluster had");
  });
});

const stateOf = (installed: number): HostState => ({
  installed,
  running: true,
  dataKb: 1,
  dataDirs: [],
  kept: [],
  dataFs: { freeKb: 100, mount: "/" },
  dumpFs: { freeKb: 100, mount: "/" },
});

describe("--to", () => {
  it("says that banana is not a PostgreSQL major (not that --to is missing)", () => {
    expect(() => parseTargetMajor("banana")).toThrow(
      "--to banana: 'banana' is not a PostgreSQL major version",
    );
    expect(() => parseTargetMajor(undefined)).toThrow("--to MAJOR is required");
    expect(parseTargetMajor("17")).toBe(17);
    expect(() => preflight(stateOf(13), 19, "matrix")).toThrow("PostgreSQL 19 is not supported");
    expect(() => preflight(stateOf(13), 13, "matrix")).toThrow(
      "host matrix runs PostgreSQL 13; --to 13 is not newer",
    );
  });
});
