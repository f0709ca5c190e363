// The upgrade's remote scripts: order, strictness, and who writes where. Some run for real
// under /bin/sh in a temporary directory, with stand-ins for pkg, su and psql on PATH.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PATHS } from "../../src/freebsd/paths.js";
import { cleanupScript } from "../../src/upgrade/cleanup.js";
import type { UpgradeParams } from "../../src/upgrade/params.js";
import { PHASES } from "../../src/upgrade/phases.js";
import { spaceNeeded } from "../../src/upgrade/preflight.js";
import { rollbackScript, setAsideScript } from "../../src/upgrade/rollback.js";
import { countScript, locked } from "../../src/upgrade/shell.js";
import type { HostState } from "../../src/upgrade/state.js";

const P: UpgradeParams = {
  from: 13,
  to: 17,
  dumpDir: PATHS.upgradeDumpDir,
  stateDir: PATHS.upgradeStateDir,
};
const script = (name: string, p = P) => {
  const ph = PHASES.find((x) => x.name === name);
  if (!ph) throw new Error(`no phase ${name}`);
  return ph.script(p);
};
const order = (name: string) => PHASES.findIndex((x) => x.name === name);

/** Every root-side script the upgrade sends, with what postgres runs (su -c '...') cut out. */
function rootParts(s: string): string {
  return s.replace(/su -l postgres -c '(?:[^']|'\\'')*'/g, "su -l postgres -c …");
}

const ALL_SCRIPTS = [
  ...PHASES.map((ph) => [ph.name, ph.script(P)] as const),
  ["rollback", rollbackScript(P, P.stateDir, false)] as const,
  ["rollback after verification", rollbackScript(P, P.stateDir, true)] as const,
  ["set aside", setAsideScript(P, true)] as const,
  ["cleanup", cleanupScript(P)] as const,
];

describe("phase order", () => {
  it("fetches the new packages and keeps the old ones as files before stopping anything", () => {
    expect(order("fetched")).toBe(0);
    expect(script("fetched")).toContain("pkg fetch -y -d postgresql17-server postgresql17-client");
    expect(script("fetched")).toContain(
      `pkg create -o ${PATHS.upgradeStateDir}/packages postgresql13-server postgresql13-client`,
    );
    expect(script("swapped")).toContain("pkg install -U -y postgresql17-server");
    expect(script("swapped")).not.toMatch(/pkg install (?!-U)/);
    expect(rollbackScript(P, P.stateDir, false)).toContain('pkg add "$@"');
    expect(rollbackScript(P, P.stateDir, false)).not.toMatch(/pkg install/);
  });

  it("locks every client out and checks pg_stat_activity before counting and dumping", () => {
    expect(order("services-stopped")).toBeLessThan(order("locked-out"));
    expect(order("locked-out")).toBeLessThan(order("counted"));
    expect(order("counted")).toBeLessThan(order("dumped"));
    const lock = script("locked-out");
    expect(lock).toContain("local all postgres peer");
    expect(lock).toContain("pg_reload_conf()");
    expect(lock).toContain("pg_terminate_backend(pid)");
    expect(lock).toContain("clients still connected to PostgreSQL");
    // The new cluster stays locked until its rows are verified.
    expect(order("verified")).toBeLessThan(order("opened"));
    expect(order("opened")).toBeLessThan(order("services-started"));
  });
});

describe("strictness", () => {
  it("runs every phase under set -eu, with no failure hidden behind '; true'", () => {
    expect(locked("x")).toContain("\nset -eu\nx\n");
    for (const [name, s] of ALL_SCRIPTS) {
      expect(s, name).not.toMatch(/;\s*true\b/);
      expect(s, name).not.toMatch(/\|\|\s*true\b(?!; exit 1)/);
    }
  });

  it("a failed copy of pg_hba.conf stops the phase (no trust authentication left behind)", () => {
    const dir = mkdtempSync(join(tmpdir(), "provision-hba-"));
    try {
      // The configured phase, with su running the command in place and a kept directory
      // that has no pg_hba.conf: the copy fails, nothing after it runs.
      const bin = join(dir, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "su"), '#!/bin/sh\nexec /bin/sh -c "$4"\n');
      chmodSync(join(bin, "su"), 0o755);
      const s = script("configured").replaceAll("/var/db/postgres", dir);
      mkdirSync(join(dir, "data13.pre-upgrade"));
      mkdirSync(join(dir, "data17"));
      writeFileSync(join(dir, "data17/pg_hba.conf"), "local all all trust\n");
      const r = spawnSync("/bin/sh", ["-c", `set -eu\n${s}\necho SURVIVED`], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      expect(r.status).not.toBe(0);
      expect(r.stdout).not.toContain("SURVIVED");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("needs room for the dump and the new cluster (and a margin) on one filesystem", () => {
    const st = {
      dataKb: 1000,
      dataFs: { freeKb: 2100, mount: "/" },
      dumpFs: { freeKb: 2100, mount: "/" },
    } as HostState;
    expect(spaceNeeded(st)).toEqual({ needKb: 2200, freeKb: 2100, sameFs: true });
    const apart = { ...st, dumpFs: { freeKb: 5000, mount: "/backup" } } as HostState;
    expect(spaceNeeded(apart)).toEqual({ needKb: 1100, freeKb: 2100, sameFs: false });
  });
});

describe("database names never reach a shell", () => {
  it("counts every database through psql variables, not a shell loop", () => {
    const s = countScript(P.stateDir, `${P.stateDir}/counts.before`);
    expect(s).not.toMatch(/for db|\$db|datname\)/);
    expect(s).toContain("\\connect :provision_db");
    expect(s).toContain("WHERE oid = %s \\gset");
  });
});

describe("a database superuser cannot become root", () => {
  it("root writes only into its own state directory (or /dev/null)", () => {
    for (const [name, s] of ALL_SCRIPTS) {
      for (const m of rootParts(s).matchAll(/(?<![0-9&])>>?\s*([^\s&;|)]+)/g)) {
        const target = (m[1] as string).replace(/^'|'$/g, "");
        expect(
          target === "/dev/null" || target.startsWith(`${PATHS.upgradeStateDir}/`),
          `${name}: root writes to ${target}`,
        ).toBe(true);
      }
    }
  });

  it("root neither renames nor removes anything in postgres's home: postgres does", () => {
    for (const [name, s] of ALL_SCRIPTS) {
      const root = rootParts(s);
      expect(root, name).not.toMatch(new RegExp(`(mv|rm)( -[a-z]+)* ${PATHS.postgresHome}/`));
    }
  });

  it("restore.sql -> victim in the dump directory no longer overwrites the victim", () => {
    const dir = mkdtempSync(join(tmpdir(), "provision-symlink-"));
    try {
      const bin = join(dir, "bin");
      mkdirSync(bin);
      // su runs the command in place; psql swallows the SQL.
      writeFileSync(join(bin, "su"), '#!/bin/sh\nexec /bin/sh -c "$4"\n');
      writeFileSync(join(bin, "psql"), "#!/bin/sh\ncat >/dev/null\n");
      for (const f of ["su", "psql"]) chmodSync(join(bin, f), 0o755);
      const dump = join(dir, "upgrade");
      mkdirSync(dump);
      writeFileSync(join(dump, "dump.sql"), "CREATE ROLE postgres;\nCREATE TABLE t ();\n");
      writeFileSync(join(dir, "victim"), "root:*:0:0::0:0:Charlie &:/root:/bin/sh\n");
      symlinkSync(join(dir, "victim"), join(dump, "restore.sql"));
      const p = { ...P, dumpDir: dump, stateDir: join(dir, "state") };
      const r = spawnSync("/bin/sh", ["-c", `set -eu\n${script("restored", p)}`], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(readFileSync(join(dir, "victim"), "utf8")).toBe(
        "root:*:0:0::0:0:Charlie &:/root:/bin/sh\n",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("packages", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-pkg-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** Runs the fetched phase with a pkg whose fetch prints `fetched`; returns its calls. */
  function fetchPhase(fetched: string) {
    const bin = join(dir, `bin-${fetched.length}`);
    const state = join(dir, `state-${fetched.length}`);
    mkdirSync(bin);
    mkdirSync(state);
    writeFileSync(
      join(bin, "pkg"),
      [
        "#!/bin/sh",
        `echo "$*" >> ${state}/calls`,
        'case "$1" in',
        "info) exit 0 ;;",
        "delete) printf '\\tpostgresql13-client: 13.16\\n\\tcoturn: 4.6.3\\n\\tpy311-psycopg2: 2.9.10\\n' ;;",
        `fetch) printf '${fetched}' ;;`,
        "esac",
      ].join("\n"),
    );
    chmodSync(join(bin, "pkg"), 0o755);
    const r = spawnSync(
      "/bin/sh",
      ["-c", `set -eu\n${script("fetched", { ...P, stateDir: state })}`],
      {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin` },
      },
    );
    return { r, state, calls: () => readFileSync(join(state, "calls"), "utf8") };
  }

  it("reinstalls what pkg removes with the client except py-psycopg2; keeps all as files", () => {
    const { r, state, calls } = fetchPhase(
      "\\tpostgresql17-server-17.6\\n\\tpostgresql17-client-17.6\\n\\tcoturn-4.6.3\\n",
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(join(state, "reinstall"), "utf8")).toBe("coturn\n");
    expect(calls()).toContain("fetch -y -d postgresql17-server postgresql17-client coturn");
    expect(calls()).toContain("postgresql13-server postgresql13-client coturn py311-psycopg2");
    expect(existsSync(join(state, "delete.plan"))).toBe(false);
  });

  it("refuses, before anything is removed, a package that would bring another major", () => {
    const { r, calls } = fetchPhase(
      "\\tpostgresql17-server-17.6\\n\\tcoturn-4.6.3\\n\\tpostgresql16-client-16.10\\n",
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "installing the new packages would bring another PostgreSQL major: postgresql16-client-16.10",
    );
    expect(calls()).not.toContain("create");
  });

  it("the swap fails when another major ended up installed", () => {
    expect(script("swapped")).toContain(
      "the installed packages would bring another PostgreSQL major",
    );
  });
});

describe("the kept data directory", () => {
  it("is never a name postgres prepared (an existing entry or symlink stops the move)", () => {
    const dir = mkdtempSync(join(tmpdir(), "provision-kept-"));
    try {
      mkdirSync(join(dir, "data13"));
      mkdirSync(join(dir, "etc"));
      symlinkSync(join(dir, "etc"), join(dir, "data13.pre-upgrade"));
      const bin = join(dir, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "su"), '#!/bin/sh\nexec /bin/sh -c "$4"\n');
      chmodSync(join(bin, "su"), 0o755);
      const s = script("moved").replaceAll(PATHS.postgresHome, dir);
      const r = spawnSync("/bin/sh", ["-c", `set -eu\n${s}`], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("data13.pre-upgrade exists already");
      expect(existsSync(join(dir, "data13"))).toBe(true);
      // Without the planted name the move happens (as postgres, through su).
      rmSync(join(dir, "data13.pre-upgrade"));
      const ok = spawnSync("/bin/sh", ["-c", `set -eu\n${s}`], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      expect(ok.stderr).toBe("");
      expect(existsSync(join(dir, "data13.pre-upgrade"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
