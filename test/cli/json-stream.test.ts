import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT } from "../helpers/cli.js";
import { parseEvents } from "./capture.js";

const VERSION = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }
).version;

const versionEvent = {
  "@level": "info",
  "@message": `provision ${VERSION}`,
  type: "version",
  format_version: "1.0",
  provision: VERSION,
};

/** The diagnostic event of a stop (a UserError or a usage error). */
const stop = (message: string, detail: string) => ({
  "@level": "error",
  "@message": message,
  type: "diagnostic",
  diagnostic: { severity: "error", summary: message, detail },
});

describe("--json: one NDJSON stream for every command", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-json-"));
  const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
  copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));
  const run = (args: string[], input = "") =>
    cli([...args, "-i", "inv.yaml", "--json"], { cwd: dir, env, input });

  it("starts with the version event, then typed events with a level and a message", () => {
    const plan = run(["plan", "--assume-fresh"]);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toBe("");
    const all = parseEvents(plan.stdout);
    expect(all[0]).toEqual(versionEvent);
    for (const e of all) {
      expect(e).toHaveProperty("@level");
      expect(typeof e["@message"]).toBe("string");
      expect(typeof e.type).toBe("string");
    }
    expect(all.filter((e) => e.type === "version")).toHaveLength(1);
    expect(all.at(-1)).toMatchObject({
      type: "change_summary",
      host: "matrix",
      changes: { remove: 0, operation: "plan" },
    });
  });

  it("streams secrets init and set, and render, the same way", () => {
    const init = run(["secrets", "init"]);
    expect(init.code).toBe(0);
    const initEvents = parseEvents(init.stdout);
    expect(initEvents[0]).toEqual(versionEvent);
    expect(initEvents.map((e) => e.type)).toEqual([
      "version",
      "identity_created",
      "store_written",
      "identity_reminder",
    ]);
    expect(initEvents[2]).toMatchObject({ store: "inv.secrets.age", created: true });
    const set = run(["secrets", "set", "smtp_password"], "canary-0b9e-smtp");
    expect(parseEvents(set.stdout)).toEqual([
      versionEvent,
      {
        "@level": "info",
        "@message": "Stored smtp_password (shared) in inv.secrets.age.",
        type: "secret_stored",
        name: "smtp_password",
        store: "inv.secrets.age",
      },
    ]);
    const render = run(["render", "--out", "out"]);
    expect(render.code).toBe(0);
    expect(parseEvents(render.stdout)[1]).toMatchObject({
      type: "rendered",
      host: "matrix",
      files: 18,
      dir: join("out", "matrix"),
    });
    for (const r of [init, set, render]) expect(r.stdout + r.stderr).not.toContain("canary-0b9e");
  });

  it("reports bad input as diagnostic events on standard output, nothing on standard error", () => {
    const unknown = run(["plan", "--assume-fresh", "--host", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("");
    expect(parseEvents(unknown.stdout)).toEqual([
      versionEvent,
      stop("no host 'nope' in inv.yaml", "Hosts: matrix"),
    ]);
    // The inventory's own diagnostics travel with the stop (plan's session prints nothing).
    for (const [command, stopMessage] of [
      [["secrets", "init"], /is invalid; fix the errors above first$/],
      [["plan"], /has errors; nothing was done$/],
    ] as const) {
      const broken = cli(
        [...command, "--json", "-i", join(ROOT, "test/fixtures/broken/12-bad-ipv4.yaml")],
        { cwd: dir, env },
      );
      expect(broken.code).toBe(1);
      expect(broken.stderr).toBe("");
      const diags = parseEvents(broken.stdout).slice(1);
      expect(diags.map((e) => [e.type, e["@level"]])).toEqual([
        ["diagnostic", "error"],
        ["diagnostic", "error"],
      ]);
      expect(diags[0]).toMatchObject({
        diagnostic: { path: "all.hosts.matrix.public_ipv4", range: { start: { line: 8 } } },
      });
      expect(diags[1]?.["@message"]).toMatch(stopMessage);
    }
  });

  it("reports a usage error as a diagnostic event too", () => {
    const r = run(["plan", "--bogus"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(parseEvents(r.stdout)).toEqual([versionEvent, stop("unknown option '--bogus'", "")]);
  });

  it("keeps validate's and secrets list's single report document", () => {
    const list = run(["secrets", "list"]);
    expect(JSON.parse(list.stdout)).toMatchObject({ shared: ["smtp_password"] });
    const validate = run(["validate"]);
    expect(JSON.parse(validate.stdout)).toMatchObject({ format_version: "1.0", valid: true });
  });
});
