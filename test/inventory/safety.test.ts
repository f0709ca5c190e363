import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backupDirProblem } from "../../src/inventory/backup-dir.js";
import { loadInventory } from "../../src/inventory/load.js";
import { cronScheduleError } from "../../src/util/cron.js";
import { coversEverything, parseCidr } from "../../src/util/net.js";
import { escapeJsonControls, escapeTerminal, firstControlChar } from "../../src/util/text.js";

const dir = mkdtempSync(join(tmpdir(), "provision-safety-"));
const VALID = `all:
  vars:
    admin_email: admin@example.org
    management_cidrs: [198.51.100.7/32]
  hosts:
    matrix:
      server_name: matrix.example.org
      public_ipv4: 203.0.113.10
      synapse:
        email:
          app_name: "Matrix \uFFFD"
`;

describe("inventory reading", () => {
  it("accepts a U+FFFD written in valid UTF-8: only invalid bytes are an error", () => {
    const file = join(dir, "fffd.yaml");
    writeFileSync(file, VALID);
    const r = loadInventory(file);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.inventory?.hosts[0]?.config.synapse.email.app_name).toBe("Matrix \uFFFD");
  });

  it("accepts U+FFFD after a byte order mark", () => {
    const file = join(dir, "bom.yaml");
    writeFileSync(file, `\uFEFF${VALID}`);
    expect(loadInventory(file).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("refuses /dev/zero as an inventory instead of reading forever", () => {
    const r = loadInventory("/dev/zero");
    expect(r.diagnostics.map((d) => d.summary)).toEqual([
      "cannot read inventory: is a character device, not a regular file",
    ]);
  });

  it("gives %YAML 1.2 values their 1.2 meaning even without a directive", () => {
    const file = join(dir, "octal.yaml");
    writeFileSync(file, VALID.replace("  hosts:", "    firewall: { ssh_port: 022 }\n  hosts:"));
    expect(loadInventory(file).inventory?.hosts[0]?.config.firewall.ssh_port).toBe(22);
  });
});

describe("management networks", () => {
  const all = (...c: string[]) =>
    c.map((x) => parseCidr(x) as NonNullable<ReturnType<typeof parseCidr>>);
  it("measures the union: two halves are the whole Internet, a gap is not", () => {
    expect(coversEverything(all("0.0.0.0/1", "128.0.0.0/1"), 4)).toBe(true);
    expect(coversEverything(all("128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2"), 4)).toBe(true);
    expect(coversEverything(all("0.0.0.0/1", "128.0.0.0/2"), 4)).toBe(false);
    expect(coversEverything(all("::/1", "8000::/1"), 6)).toBe(true);
    expect(coversEverything(all("::/1", "8000::/1"), 4)).toBe(false);
    expect(coversEverything(all("198.51.100.7/32"), 4)).toBe(false);
  });
});

describe("backup directory", () => {
  it("refuses system, managed and dot-dot paths and accepts a directory of its own", () => {
    for (const bad of [
      "/",
      "/etc",
      "/var/backups",
      "/var/db",
      "/var/db/postgres",
      "/usr/local",
      "/var/db/postgres/data17",
      "/var/db/postgres/data16/x",
      "/usr/local/etc/matrix-synapse",
      "/var/backups/provision/pg",
      "/var/db/postgres/backups/..",
      "/var/db/postgres/backups/",
      "relative/dir",
    ]) {
      expect(backupDirProblem(bad), bad).toBeDefined();
    }
    for (const ok of ["/var/db/postgres/backups", "/var/backups/postgres", "/backup/pg"]) {
      expect(backupDirProblem(ok), ok).toBeUndefined();
    }
  });
});

describe("cron schedules cron(8) would not run", () => {
  it("refuses a non-breaking space, reversed ranges and dates no month has", () => {
    expect(cronScheduleError("17\u00a03 * * *")).toContain("found U+00A0");
    expect(cronScheduleError("0 5-1 * * *")).toContain("reversed range");
    expect(cronScheduleError("0 0 31 2 *")).toContain("never runs");
    expect(cronScheduleError("0 0 30,31 2,4 *")).toBeUndefined();
    expect(cronScheduleError("0 0 29 feb *")).toBeUndefined();
    expect(cronScheduleError("0 0 31 2 1")).toBeUndefined(); // runs on Mondays in February
  });
});

describe("text safety", () => {
  it("refuses C1 controls, line separators and lone surrogates in values", () => {
    for (const bad of ["a\u0085b", "a\u009bb", "a\u2028b", "a\u2029b", "a\ud800b", "a\ufeffb"]) {
      expect(firstControlChar(bad), JSON.stringify(bad)).toBeDefined();
    }
    expect(firstControlChar("caf\u00e9 \u00a0 \ud83d\ude00 \uFFFD")).toBeUndefined();
  });

  it("escapes terminal control sequences from hosts but keeps colour", () => {
    expect(escapeTerminal("a\u001b]0;owned\u0007b\u009b2Jc\td\n")).toBe(
      "a\\x1b]0;owned\\x07b\\x9b2Jc\td\n",
    );
    expect(escapeTerminal("\u001b[31mred\u001b[0m \u001b[2J", true)).toBe(
      "\u001b[31mred\u001b[0m \\x1b[2J",
    );
    expect(JSON.parse(escapeJsonControls(JSON.stringify("a\u009bb\u2028")))).toBe("a\u009bb\u2028");
    expect(escapeJsonControls(JSON.stringify("a\u009b"))).toBe('"a\\u009b"');
  });
});
