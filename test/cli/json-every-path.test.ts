import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "provision-json-paths-"));
const env = { PROVISION_AGE_IDENTITY_FILE: join(dir, "id.txt") };
copyFileSync(join(ROOT, "inventory.example.yaml"), join(dir, "inv.yaml"));
copyFileSync(join(ROOT, "test/fixtures/broken/12-bad-ipv4.yaml"), join(dir, "broken.yaml"));
writeFileSync(join(dir, "not-a-plan.json"), '{"hello": 1}\n');

/** Offline paths of every command (completion excepted), successes and stops alike. */
const PATHS: string[][] = [
  ["validate"],
  ["validate", "-i", "broken.yaml"],
  ["validate", "-i", "missing.yaml"],
  ["schema"],
  ["secrets", "list"],
  ["secrets", "open"],
  ["secrets", "recipients", "list"],
  ["secrets", "recipients", "add", "not-a-key"],
  ["secrets", "set", "smtp_password", "--host", "nope"],
  ["plan"],
  ["plan", "-i", "broken.yaml"],
  ["plan", "--assume-fresh", "--limit", "nope"],
  ["plan", "--assume-fresh", "--out", "x.plan"],
  ["plan", "--host", "matrix", "--limit", "all"],
  ["apply", "--yes"],
  ["apply", "--concurrency", "0"],
  ["plan", "--concurrency", "x"],
  ["apply", "missing.plan"],
  ["apply", "not-a-plan.json"],
  ["apply", "not-a-plan.json", "--limit", "all"],
  ["render", "--out", "o"],
  ["render", "--out", "o", "--limit", "matrx"],
  ["renew-certs"],
  ["renew-certs", "--limit", "!all"],
  ["register-user", "--user", "a", "--host", "nope"],
  ["register-user", "--host", "matrix"],
  ["upgrade-postgres", "--host", "nope"],
  ["upgrade-postgres"],
  ["plan", "--check"],
  ["plan", "--bogus"],
  ["no-such-command"],
  ["secrets", "init"],
  ["secrets", "list"],
  ["render", "--out", "o"],
  ["plan", "--assume-fresh"],
];

describe("--json on every path of every command", () => {
  it("writes only JSON lines on standard output, the version event first, nothing on stderr", () => {
    for (const args of PATHS) {
      const what = args.join(" ");
      const r = cli([...args, "--json", ...(args.includes("-i") ? [] : ["-i", "inv.yaml"])], {
        cwd: dir,
        env,
      });
      expect(r.stderr, what).toBe("");
      const lines = r.stdout.trimEnd().split("\n");
      const parsed = lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          throw new Error(`${what}: not a JSON line: ${l.slice(0, 120)}`);
        }
      });
      // validate and secrets list answer with one report document (as terraform validate -json);
      // their stops are still the stream.
      if (parsed[0]?.type !== "version") {
        expect(["validate", "secrets list"], what).toContain(
          args.slice(0, args[0] === "secrets" ? 2 : 1).join(" "),
        );
        expect(parsed, what).toHaveLength(1);
        expect(parsed[0], what).toHaveProperty("format_version", "1.0");
        continue;
      }
      expect(parsed[0], what).toMatchObject({ type: "version", format_version: "1.0" });
      if (r.code !== 0)
        expect(parsed.at(-1), what).toMatchObject({ "@level": "error", type: "diagnostic" });
    }
  });
});
