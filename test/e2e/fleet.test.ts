// A fleet of three test hosts: one host that fails a step, is locked or cannot be reached never
// stops the others; --fail-fast skips hosts not yet started; a saved plan is applied exactly,
// and refused once a host changed.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { onTerminal, recordingCli } from "../helpers/cli.js";
import { inventoryWithStore } from "../helpers/secrets.js";
import { sh, testHosts } from "../helpers/testhost.js";

const CANARY = "canary-5e0b3c81aa";
let set: HostSet & { stop: () => Promise<void> };
let inv: string;
let env: Record<string, string>;
const { run: provision, outputs } = recordingCli(
  () => inv,
  () => env,
);
const events = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const LOCK = "/var/run/provision.lock";

beforeAll(async () => {
  set = await testHosts(3);
  ({ inv, env } = await inventoryWithStore(set, {
    turn_shared_secret: `${CANARY}-turn`,
    postgres_password: `${CANARY}-pg`,
    macaroon_secret_key: `${CANARY}-mac`,
  }));
});
afterAll(async () => set?.stop());

describe("a fleet where some hosts fail", { timeout: 600_000 }, () => {
  it("converges the healthy host while one fails a step and one is locked; the summary says which", () => {
    // matrix2: pkg(8) cannot bootstrap nor install, as with an unreachable repository.
    // matrix3: another apply holds the lock.
    sh(
      set,
      1,
      "mv /usr/sbin/pkg /usr/sbin/pkg.ok && cat > /usr/sbin/pkg && chmod +x /usr/sbin/pkg",
      '#!/bin/sh\ncase "$1" in bootstrap|install) echo "pkg: repository unreachable" >&2; exit 3 ;; esac\nexec /usr/sbin/pkg.ok "$@"\n',
    );
    // As another apply holds it: lockf(1) on the lock file, the owner on its first line.
    sh(
      set,
      2,
      `nohup lockf -k ${LOCK} sh -c "printf 'someone@elsewhere\\n' > ${LOCK}; exec sleep 900" >/dev/null 2>&1 & sleep 1`,
    );
    const r = provision(["apply", "--yes", "--no-color"]);
    sh(set, 1, "mv -f /usr/sbin/pkg.ok /usr/sbin/pkg");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Apply complete for matrix1:");
    expect(r.stderr).toContain("Apply failed on matrix2 at pkg ");
    expect(r.stderr).toContain("error: host matrix3 is locked (someone@elsewhere)");
    expect(r.stdout).toContain("Summary: 1 converged, 2 failed, 0 skipped.");
    expect(r.stdout).toMatch(/\n {2}HOST +RESULT +STEPS +TIME\n/);
    expect(r.stdout).toMatch(/\n {2}matrix1 +converged +(\d+)\/\1 +\d+\.\d s\n/);
    expect(r.stdout).toMatch(/\n {2}matrix2 +failed +\d+\/\d+ +\d+\.\d s +pkg [^\n]+ \(exit 3\)\n/);
    expect(r.stdout).toMatch(/\n {2}matrix3 +failed +0\/0 +0\.0 s +host matrix3 is locked/);
    expect(provision(["plan", "--detailed-exitcode", "--limit", "matrix1"]).code).toBe(0);
    // Our locks are gone; the other apply's lock is left alone.
    expect(sh(set, 1, `lockf -k -t 0 ${LOCK} true`).code).toBe(0);
    expect(sh(set, 2, `lockf -k -t 0 ${LOCK} true`).code).toBe(75);
    expect(sh(set, 2, `head -1 ${LOCK}`).stdout).toBe("someone@elsewhere\n");
  });

  it("--fail-fast skips the hosts not yet started after the first failure", () => {
    const r = provision(["apply", "--yes", "--fail-fast", "--json", "--limit", "matrix2,matrix3"]);
    expect(r.code).toBe(1);
    const all = events(r.stdout);
    expect(all[0]).toMatchObject({ type: "version", format_version: "1.0" });
    expect(all.filter((e) => e.type === "apply_start")).toEqual([]);
    expect(all.at(-1)).toMatchObject({
      type: "apply_summary",
      "@level": "error",
      hosts: [
        {
          host: "matrix2",
          result: "skipped",
          steps: 0,
          reason: "--fail-fast: another host failed",
        },
        { host: "matrix3", result: "failed", steps: 0 },
      ],
    });
    expect(provision(["plan", "--detailed-exitcode", "--limit", "matrix2"]).code).toBe(2);
    sh(set, 2, "pkill -f 'sleep 900'; sleep 1");
    expect(sh(set, 2, `lockf -k -t 0 ${LOCK} true`).code).toBe(0);
  });

  it("applies a saved plan exactly; the file holds facts and hashes, never a secret", () => {
    const file = join(set.dir, "fleet.plan");
    const plan = provision(["plan", "--limit", "matrix2,matrix3", "--out", file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`Saved the plan to ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(CANARY);
    const saved = JSON.parse(text);
    expect(saved.hosts.map((h: { host: string }) => h.host)).toEqual(["matrix2", "matrix3"]);
    const r = provision(["apply", file, "--json"]);
    expect(r.code).toBe(0);
    expect(events(r.stdout).at(-1)).toMatchObject({
      type: "apply_summary",
      hosts: [
        { host: "matrix2", result: "converged" },
        { host: "matrix3", result: "converged" },
      ],
    });
    expect(provision(["plan", "--detailed-exitcode"]).code).toBe(0);
  });

  it("refuses a saved plan once a host changed since it was made, and says what changed", () => {
    sh(set, 0, "echo '# drift' >> /etc/periodic.conf");
    const file = join(set.dir, "stale.plan");
    expect(provision(["plan", "--limit", "matrix1", "--out", file]).code).toBe(0);
    sh(set, 0, "echo '# more drift' >> /etc/periodic.conf; chmod 600 /etc/resolv.conf");
    const r = provision(["apply", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: the saved plan ${file} is stale: nothing was applied`);
    expect(r.stderr).toContain("matrix1 changed since the plan was made:");
    expect(r.stderr).toMatch(
      /files\[\/etc\/periodic\.conf\]\.sha256: [0-9a-f]{64} -> [0-9a-f]{64}/,
    );
    expect(r.stderr).toContain("files[/etc/resolv.conf].mode: 0644 -> 0600");
    expect(sh(set, 0, "grep -c 'more drift' /etc/periodic.conf").stdout).toBe("1\n");
    expect(sh(set, 0, `lockf -k -t 0 ${LOCK} true`).code).toBe(0);
  });

  it("on a terminal, shows one live line per host redrawn in place, then the summary table", () => {
    sh(set, 0, "echo '# drift' >> /etc/periodic.conf");
    sh(set, 1, "echo '# drift' >> /etc/periodic.conf");
    const r = onTerminal(["apply", "--yes", "-i", inv], [], set.dir, { ...env, CI: "" });
    expect(r.code).toBe(0);
    // Host lines with their step, redrawn by moving up over the board and erasing it.
    expect(r.screen).toMatch(/matrix[12] +\[1\/\d+\] \d+\.\d s +file \/etc\/periodic\.conf/);
    const esc = String.fromCharCode(27);
    expect(r.screen).toMatch(new RegExp(`${esc}\\[\\d+F${esc}\\[J`));
    expect(r.screen).toMatch(/matrix1 +done in \d+\.\d s +(\d+)\/\1 steps/);
    expect(r.screen).toContain("Summary: 3 converged, 0 failed, 0 skipped.");
  });

  it("an unreachable host is its own failure; the others converge", async () => {
    sh(set, 1, "echo '# drift' >> /etc/periodic.conf");
    await set.containers[2]?.stop({ timeout: 2000 });
    const r = provision(["apply", "--yes", "--no-color"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Summary: 2 converged, 1 failed, 0 skipped.");
    expect(r.stdout).toMatch(/\n {2}matrix1 +converged +0\/0 /);
    expect(r.stdout).toMatch(/\n {2}matrix2 +converged +[1-9]\d*\/\d+/);
    expect(r.stdout).toMatch(/\n {2}matrix3 +failed +0\/0 /);
  });

  it("never shows a secret", () => {
    for (const o of outputs) expect(o).not.toContain(CANARY);
  });
});
