// pyinfra-style: fake facts in, expected actions out. No host involved.
import { describe, expect, it } from "vitest";
import { factScript, parseFacts } from "../../src/facts/gather.js";
import { emptyRequest } from "../../src/facts/types.js";
import { CommandResource } from "../../src/resources/command.js";
import { DhParamResource } from "../../src/resources/dhparam.js";
import { DirectoryResource } from "../../src/resources/directory.js";
import { FileResource, writeScript } from "../../src/resources/file.js";
import { GroupResource } from "../../src/resources/group.js";
import { PgDatabaseResource } from "../../src/resources/pg-database.js";
import { PgRoleResource } from "../../src/resources/pg-role.js";
import { PipResource } from "../../src/resources/pip.js";
import { PkgResource } from "../../src/resources/pkg.js";
import { scramVerifier, verifierMatches } from "../../src/resources/psql.js";
import { ServiceResource } from "../../src/resources/service.js";
import { SysrcResource } from "../../src/resources/sysrc.js";
import { initialState } from "../../src/resources/types.js";
import { UserResource } from "../../src/resources/user.js";
import { VirtualenvResource } from "../../src/resources/virtualenv.js";
import { sha256 } from "../../src/util/hash.js";
import { facts } from "../helpers/facts.js";

const CONTENT = "search example.org\nnameserver 127.0.0.1\n";

describe("file", () => {
  const r = new FileResource("/etc/resolv.conf", "base", CONTENT, "root", "wheel", "0644", false, [
    "h",
  ]);
  it("creates a missing file with one atomic write", () => {
    const c = r.plan(facts({ files: new Map([["/etc/resolv.conf", null]]) })).change;
    expect(c).toMatchObject({ action: "create", address: "file /etc/resolv.conf", notify: ["h"] });
    expect(c?.steps).toEqual([
      {
        kind: "write",
        description: "write /etc/resolv.conf (root:wheel 0644)",
        path: "/etc/resolv.conf",
        content: CONTENT,
        owner: "root",
        group: "wheel",
        mode: "0644",
      },
    ]);
  });
  it("does nothing when content, owner and mode match", () => {
    const f = facts({
      files: new Map([
        [
          "/etc/resolv.conf",
          { type: "file", mode: "0644", owner: "root", group: "wheel", sha256: sha256(CONTENT) },
        ],
      ]),
    });
    expect(r.plan(f).change).toBeNull();
  });
  it("rewrites changed content and asks for a diff; fixes mode alone with chmod", () => {
    const changed = r.plan(
      facts({
        files: new Map([
          [
            "/etc/resolv.conf",
            { type: "file", mode: "0644", owner: "root", group: "wheel", sha256: "0".repeat(64) },
          ],
        ]),
      }),
    ).change;
    expect(changed).toMatchObject({
      action: "update",
      summary: "content",
      diffAgainst: { path: "/etc/resolv.conf", desired: CONTENT },
    });
    const mode = r.plan(
      facts({
        files: new Map([
          [
            "/etc/resolv.conf",
            { type: "file", mode: "0666", owner: "root", group: "wheel", sha256: sha256(CONTENT) },
          ],
        ]),
      }),
    ).change;
    expect(mode?.summary).toBe("mode 0666 -> 0644");
    expect(mode?.steps).toEqual([
      {
        kind: "exec",
        description: "set /etc/resolv.conf to root:wheel 0644",
        script: "chown root:wheel /etc/resolv.conf && chmod 0644 /etc/resolv.conf",
      },
    ]);
  });
  it("asks for a diff of a sensitive file, marked sensitive so the values get masked", () => {
    const s = new FileResource("/x", "r", "secret", "root", "wheel", "0600", true);
    const c = s.plan(
      facts({
        files: new Map([
          [
            "/x",
            { type: "file", mode: "0600", owner: "root", group: "wheel", sha256: "1".repeat(64) },
          ],
        ]),
      }),
    ).change;
    expect(c?.sensitive).toBe(true);
    expect(c?.diffAgainst).toEqual({ path: "/x", desired: "secret" });
  });
  it("writes atomically: temp file in the same directory, fsync, backup, rename", () => {
    const s = writeScript("/usr/local/etc/x.conf", "a\n", "root", "wheel", "0640");
    expect(s).toContain("t=$(mktemp /usr/local/etc/.provision.XXXXXX)");
    expect(s).toContain(
      `printf '%s' '${Buffer.from("a\n").toString("base64")}' | openssl base64 -d -A > "$t"`,
    );
    expect(s).toContain('fsync "$t"');
    expect(s).toContain(
      "cp -p /usr/local/etc/x.conf /var/backups/provision/usr/local/etc/x.conf.$(date -u +%Y%m%dT%H%M%SZ)",
    );
    expect(s.indexOf("fsync")).toBeLessThan(s.indexOf("mv -f"));
    expect(s.trim().split("\n").at(-2)).toBe('mv -f "$t" /usr/local/etc/x.conf');
  });
});

describe("directory", () => {
  it("creates, fixes owner, and refuses to replace a file", () => {
    const d = new DirectoryResource("/var/db/matrix-synapse", "s", "synapse", "synapse", "0750");
    expect(
      d.plan(facts({ files: new Map([["/var/db/matrix-synapse", null]]) })).change?.action,
    ).toBe("create");
    expect(
      d.plan(
        facts({
          files: new Map([
            [
              "/var/db/matrix-synapse",
              { type: "directory", mode: "0750", owner: "root", group: "wheel" },
            ],
          ]),
        }),
      ).change?.summary,
    ).toBe("owner root:wheel -> synapse:synapse");
    expect(
      d.plan(
        facts({
          files: new Map([
            [
              "/var/db/matrix-synapse",
              { type: "file", mode: "0750", owner: "synapse", group: "synapse" },
            ],
          ]),
        }),
      ).diagnostics[0]?.summary,
    ).toMatch(/is a file, not a directory/);
  });
});

describe("pkg", () => {
  it("installs only what is missing, bootstrapping pkg on a fresh host once", () => {
    const f = facts({ pkgReady: false, packages: new Map([["curl", "8.14.1"]]) });
    const first = new PkgResource(["ca_root_nss", "curl"], "base").plan(f, initialState(f));
    const a = first.change;
    expect(a?.summary).toBe("install ca_root_nss");
    expect(a?.steps.map((s) => (s.kind === "exec" ? s.script : ""))).toEqual([
      "env ASSUME_ALWAYS_YES=yes pkg bootstrap -f",
      "env ASSUME_ALWAYS_YES=yes pkg install -y ca_root_nss",
    ]);
    const b = new PkgResource(["apache24"], "apache").plan(f, {
      ...initialState(f),
      ...first.state,
    }).change;
    expect(b?.steps).toHaveLength(1);
    expect(new PkgResource(["curl"], "base").plan(f, initialState(f)).change).toBeNull();
  });
});

describe("sysrc", () => {
  it("sets a value that differs, with + for unset and ~ for changed", () => {
    expect(
      new SysrcResource("ntpd_enable", "YES", "b").plan(
        facts({ rc: new Map([["ntpd_enable", "YES"]]) }),
      ).change,
    ).toBeNull();
    expect(
      new SysrcResource("ntpd_enable", "YES", "b").plan(
        facts({ rc: new Map([["ntpd_enable", "NO"]]) }),
      ).change,
    ).toMatchObject({
      action: "update",
      summary: '"NO" -> "YES"',
      steps: [{ kind: "exec", script: "sysrc ntpd_enable=YES" }],
    });
    expect(new SysrcResource("synapse_enable", "YES", "s").plan(facts()).change?.action).toBe(
      "create",
    );
    expect(
      new SysrcResource("syslogd_flags", "-ss", "b").plan(facts()).change?.steps[0],
    ).toMatchObject({
      script: "sysrc syslogd_flags=-ss",
    });
  });
});

describe("service, user, group", () => {
  it("starts a service that is not running, leaves a running one", () => {
    expect(
      new ServiceResource("synapse", "s").plan(
        facts({ services: new Map([["synapse", { installed: true, running: true }]]) }),
      ).change,
    ).toBeNull();
    expect(
      new ServiceResource("synapse", "s").plan(
        facts({ services: new Map([["synapse", { installed: true, running: false }]]) }),
      ).change?.steps[0],
    ).toMatchObject({
      script: "service synapse start",
    });
  });
  it("adds a nologin user and its group with pw", () => {
    expect(new GroupResource("synapse", "s").plan(facts()).change?.steps[0]).toMatchObject({
      script: "pw groupadd synapse",
    });
    const u = new UserResource(
      "synapse",
      "s",
      "synapse",
      "/nonexistent",
      "/usr/sbin/nologin",
      "Synapse Daemon",
    );
    expect(u.plan(facts()).change?.steps[0]).toMatchObject({
      script:
        "pw useradd synapse -g synapse -d /nonexistent -s /usr/sbin/nologin -c 'Synapse Daemon' -w no",
    });
    expect(
      u.plan(
        facts({
          users: new Map([
            ["synapse", { uid: 1001, gid: 1001, home: "/nonexistent", shell: "/usr/sbin/nologin" }],
          ]),
        }),
      ).change,
    ).toBeNull();
  });
});

describe("virtualenv and pip", () => {
  it("creates the virtualenv, installs the pinned version, upgrades a different one", () => {
    expect(
      new VirtualenvResource("/v", "s", "/usr/local/bin/python3.11").plan(facts()).change?.steps[0],
    ).toMatchObject({
      script:
        "/usr/local/bin/python3.11 -m venv --clear /v && /v/bin/pip install --upgrade pip setuptools",
    });
    const pip = new PipResource("/v", "matrix-synapse", "1.157.0", ["postgres"], "s");
    expect(pip.plan(facts({ venvs: new Map([["/v", new Map()]]) })).change).toMatchObject({
      action: "create",
      steps: [
        {
          script:
            "/v/bin/pip install --no-input --progress-bar off 'matrix-synapse[postgres]==1.157.0'",
        },
      ],
    });
    expect(
      pip.plan(facts({ venvs: new Map([["/v", new Map([["matrix-synapse", "1.156.0"]])]]) })).change
        ?.summary,
    ).toBe("1.156.0 -> 1.157.0");
    expect(
      pip.plan(facts({ venvs: new Map([["/v", new Map([["matrix-synapse", "1.157.0"]])]]) }))
        .change,
    ).toBeNull();
  });
});

describe("the pip build's environment", () => {
  it("runs pip under env with the recipe's variables (pg_config on PATH, system libsodium)", () => {
    const pip = new PipResource("/v", "matrix-synapse", "1.157.0", ["postgres"], "s", [], {
      PATH: "/usr/local/bin:/bin",
      SODIUM_INSTALL: "system",
    });
    expect(pip.plan(facts({ venvs: new Map([["/v", new Map()]]) })).change?.steps[0]).toMatchObject(
      {
        script:
          "env PATH=/usr/local/bin:/bin SODIUM_INSTALL=system /v/bin/pip install --no-input --progress-bar off 'matrix-synapse[postgres]==1.157.0'",
      },
    );
  });
});

describe("a package whose version the ports tree decides", () => {
  const pkg = () => new PkgResource(["py311-matrix-synapse"], "synapse", [], true);
  const state = { ...initialState(facts()), pkgReady: true };
  it("asks the repository's cached catalogue and names the version in the plan", () => {
    const req = emptyRequest();
    pkg().request(req);
    expect([...req.repoVersions]).toEqual(["py311-matrix-synapse"]);
    expect(factScript(req)).toContain("pkg rquery -U '%n\t%v' py311-matrix-synapse");
    const f = facts({ repoVersions: new Map([["py311-matrix-synapse", "1.139.2"]]) });
    expect(pkg().plan(f, state).change?.summary).toBe("install py311-matrix-synapse 1.139.2");
    expect(pkg().note(f)).toBe(
      "py311-matrix-synapse 1.139.2 from the repository (its version follows the ports tree)",
    );
  });
  it("says which version is installed, and when the repository has another", () => {
    const installed = facts({
      packages: new Map([["py311-matrix-synapse", "1.139.2"]]),
      repoVersions: new Map([["py311-matrix-synapse", "1.140.0"]]),
    });
    expect(pkg().plan(installed, state).change).toBeNull();
    expect(pkg().note(installed)).toBe(
      "py311-matrix-synapse 1.139.2 installed; the repository has 1.140.0 (pkg upgrade)",
    );
    expect(pkg().note(facts())).toContain("catalogue is not fetched yet");
    expect(new PkgResource(["curl"], "base").note(installed)).toBeUndefined();
  });
  it("parses the repository versions from the probe's output", () => {
    const req = emptyRequest();
    pkg().request(req);
    expect(parseFacts("pkgr\tpy311-matrix-synapse\t1.139.2\n", req).repoVersions).toEqual(
      new Map([["py311-matrix-synapse", "1.139.2"]]),
    );
  });
});

describe("PostgreSQL role and database", () => {
  it("compares the password with the stored SCRAM verifier, never sending the password", () => {
    const v = scramVerifier("s3cret");
    expect(verifierMatches(v, "s3cret")).toBe(true);
    expect(verifierMatches(v, "other")).toBe(false);
    const r = new PgRoleResource("synapse", "p", "s3cret");
    const ok = facts({
      postgres: {
        roles: new Map([["synapse", { canLogin: true, verifier: v }]]),
        databases: new Map(),
      },
    });
    expect(r.plan(ok).change).toBeNull();
    const wrong = facts({
      postgres: {
        roles: new Map([["synapse", { canLogin: true, verifier: scramVerifier("old") }]]),
        databases: new Map(),
      },
    });
    const c = r.plan(wrong).change;
    expect(c?.summary).toBe("password differs from the secrets store");
    const script = c?.steps[0]?.kind === "exec" ? c.steps[0].script : "";
    expect(script).not.toContain("s3cret");
    expect(script).toMatch(/PASSWORD 'SCRAM-SHA-256\$4096:/);
  });
  it("creates the database UTF8 with C collation from template0, refuses a wrong locale", () => {
    const d = new PgDatabaseResource("synapse", "p", "synapse");
    const c = d.plan(facts({ postgres: { roles: new Map(), databases: new Map() } })).change;
    expect(c?.steps[0]?.kind === "exec" && c.steps[0].script).toContain(
      `ENCODING ''UTF8'' LC_COLLATE ''C'' LC_CTYPE ''C'' TEMPLATE template0`,
    );
    const bad = d.plan(
      facts({
        postgres: {
          roles: new Map(),
          databases: new Map([
            [
              "synapse",
              { owner: "synapse", encoding: "UTF8", collate: "en_US.UTF-8", ctype: "en_US.UTF-8" },
            ],
          ]),
        },
      }),
    );
    expect(bad.diagnostics).toHaveLength(1);
    expect(bad.diagnostics[0]?.summary).toMatch(/Synapse needs UTF8 and C/);
    expect(
      d.plan(
        facts({
          postgres: {
            roles: new Map(),
            databases: new Map([
              ["synapse", { owner: "synapse", encoding: "UTF8", collate: "C", ctype: "C" }],
            ]),
          },
        }),
      ).change,
    ).toBeNull();
  });
});

describe("guarded command and dhparam", () => {
  it("runs only when the created file is missing or the check fails", () => {
    const c = new CommandResource("initdb", "p", "service postgresql initdb", {
      creates: "/var/db/postgres/data17/PG_VERSION",
    });
    expect(
      c.plan(
        facts({
          files: new Map([
            [
              "/var/db/postgres/data17/PG_VERSION",
              { type: "file", mode: "0600", owner: "postgres", group: "postgres" },
            ],
          ]),
        }),
      ).change,
    ).toBeNull();
    expect(c.plan(facts()).change?.summary).toBe("/var/db/postgres/data17/PG_VERSION is missing");
    const u = new CommandResource("x", "r", "true", { unless: "test -e /x" });
    expect(u.plan(facts({ probes: new Map([["unless:x", 0]]) })).change).toBeNull();
    expect(u.plan(facts({ probes: new Map([["unless:x", 1]]) })).change).not.toBeNull();
    const o = new CommandResource("y", "r", "newaliases", {
      onlyif: "grep -q newaliases /etc/mail/mailer.conf",
    });
    expect(o.plan(facts({ probes: new Map([["onlyif:y", 1]]) })).change).toBeNull();
  });
  it("generates DH parameters once", () => {
    const d = new DhParamResource("/usr/local/etc/ssl/dhparam.pem", "c", 2048);
    expect(d.plan(facts()).change?.summary).toBe("2048 bits");
    expect(
      d.plan(
        facts({
          files: new Map([
            [
              "/usr/local/etc/ssl/dhparam.pem",
              { type: "file", mode: "0644", owner: "root", group: "wheel" },
            ],
          ]),
        }),
      ).change,
    ).toBeNull();
  });
});
