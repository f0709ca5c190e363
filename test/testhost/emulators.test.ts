// The emulated FreeBSD commands of the test host, checked against what their FreeBSD man pages
// and sources state (outputs, messages, exit codes). See docs/testing.md for the references.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { sh, testHosts } from "../helpers/testhost.js";

let set: HostSet & { stop: () => Promise<void> };
const run = (cmd: string, input?: string) => sh(set, 0, cmd, input);

let cronArmedAt = 0;

beforeAll(async () => {
  set = await testHosts(1, { acme: false });
  run(
    "rm -f /tmp/cron-ran; printf '* * * * *\\troot\\ttouch /tmp/cron-ran\\n' > /usr/local/etc/cron.d/probe",
  );
  cronArmedAt = Date.now();
});
afterAll(async () => set?.stop());

describe("uname and freebsd-version", () => {
  it("say FreeBSD", () => {
    expect(run("uname -s")).toMatchObject({ code: 0, stdout: "FreeBSD\n" });
    expect(run("uname -r").stdout).toBe("14.3-RELEASE-p2\n");
    expect(run("freebsd-version")).toMatchObject({ code: 0, stdout: "14.3-RELEASE-p2\n" });
    expect(run("freebsd-version -x")).toMatchObject({
      code: 1,
      stderr: "usage: freebsd-version [-ku]\n",
    });
  });
});

describe("sysrc(8)", () => {
  it("reports unknown variables with exit 1", () => {
    expect(run("sysrc -n no_such_var")).toEqual({
      code: 1,
      stdout: "",
      stderr: "sysrc: unknown variable 'no_such_var'\n",
    });
    expect(run("sysrc -q no_such_var")).toEqual({ code: 1, stdout: "", stderr: "" });
  });
  it("reads defaults and rc.conf, sets and prints OLD -> NEW", () => {
    expect(run("sysrc sshd_enable").stdout).toBe("sshd_enable: YES\n");
    expect(run("sysrc -n ntpd_enable").stdout).toBe("NO\n");
    expect(run("sysrc ntpd_enable=YES")).toMatchObject({
      code: 0,
      stdout: "ntpd_enable: NO -> YES\n",
    });
    expect(run("sysrc ntpd_enable=YES").stdout).toBe("ntpd_enable: YES -> YES\n");
    expect(run("sysrc fresh_var=x")).toMatchObject({ code: 0, stdout: "fresh_var:  -> x\n" });
    expect(run("grep -c '^ntpd_enable=\"YES\"$' /etc/rc.conf").stdout).toBe("1\n");
    expect(run("sysrc -e ntpd_enable").stdout).toBe('ntpd_enable="YES"\n');
    expect(run("sysrc -v ntpd_enable").stdout).toBe("/etc/rc.conf: ntpd_enable: YES\n");
  });
  it("keeps the quote style of an existing assignment and appends/removes list words", () => {
    run("echo \"single_var='a'\" >> /etc/rc.conf");
    expect(run("sysrc single_var=b").stdout).toBe("single_var: a -> b\n");
    expect(run("grep '^single_var' /etc/rc.conf").stdout).toBe("single_var='b'\n");
    expect(run("sysrc list_var+=item1").stdout).toBe("list_var:  -> item1\n");
    expect(run("sysrc list_var+=item2").stdout).toBe("list_var: item1 -> item1 item2\n");
    expect(run("sysrc list_var+=item1").stdout).toBe("list_var: item1 item2 -> item1 item2\n");
    expect(run("sysrc list_var-=item1").stdout).toBe("list_var: item1 item2 -> item2\n");
  });
  it("-x deletes silently, -c checks, -a lists, -f edits another file", () => {
    expect(run("sysrc -x fresh_var")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(run("sysrc -x fresh_var")).toMatchObject({
      code: 1,
      stderr: "sysrc: unknown variable 'fresh_var'\n",
    });
    expect(run("sysrc -c ntpd_enable=YES").code).toBe(0);
    expect(run("sysrc -c ntpd_enable=NO").code).toBe(1);
    expect(run("sysrc -a").stdout).toContain("ntpd_enable: YES\n");
    expect(run("sysrc -a -x").stderr).toBe(
      "sysrc: `-x' option incompatible with `-a'/`-A' options (use `-X' to override)\n",
    );
    expect(
      run("sysrc -f /etc/periodic.conf daily_x_enable=YES && cat /etc/periodic.conf").stdout,
    ).toBe('daily_x_enable:  -> YES\ndaily_x_enable="YES"\n');
    expect(run("sysrc 'bad-name=1'")).toMatchObject({
      code: 1,
      stderr: "sysrc: bad-name: name contains characters not allowed in shell\n",
    });
  });
});

describe("pkg(8)", () => {
  it("needs bootstrapping first, non-interactively only with ASSUME_ALWAYS_YES", () => {
    expect(run("pkg -N")).toMatchObject({ code: 1, stderr: "pkg: pkg is not installed\n" });
    const refused = run("pkg info");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Please set ASSUME_ALWAYS_YES=yes");
    expect(run("ASSUME_ALWAYS_YES=yes pkg bootstrap -f").code).toBe(0);
    expect(run("pkg -N")).toMatchObject({ code: 0, stderr: "pkg: 1 packages installed\n" });
    expect(run("pkg bootstrap -y").stdout).toBe(
      "pkg already bootstrapped at /usr/local/sbin/pkg\n",
    );
  });
  it("info -e answers with the exit code only", () => {
    expect(run("pkg info -e apache24")).toEqual({ code: 1, stdout: "", stderr: "" });
    expect(run("pkg info -e pkg")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(run("pkg info apache24")).toMatchObject({
      code: 1,
      stderr: "pkg: No package(s) matching apache24\n",
    });
  });
  it("installs with dependencies, then says everything is up to date", () => {
    const r = run("pkg install -y py311-psycopg2");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "New packages to be INSTALLED:\n\tpython311: 3.11.13\n\tpostgresql17-client: 17.10\n\tpy311-psycopg2: 2.9.10\n",
    );
    expect(r.stdout).toContain("Number of packages to be installed: 3");
    expect(run("pkg install -y py311-psycopg2").stdout).toContain(
      "The most recent versions of packages are already installed",
    );
    expect(
      run("test -x /usr/local/bin/psql && /usr/local/bin/python3.11 -c 'print(1)'").stdout,
    ).toBe("1\n");
  });
  it("refuses unknown packages with pkg's message", () => {
    expect(run("pkg install -y nosuchpkg")).toMatchObject({
      code: 1,
      stderr:
        "pkg: No packages available to install matching 'nosuchpkg' have been found in the repositories\n",
    });
  });
  it("query prints name and version; a pattern that matches nothing exits 1 silently", () => {
    expect(run("pkg query '%n %v' python311").stdout).toBe("python311 3.11.13\n");
    expect(run("pkg query '%n %v' nothere")).toEqual({ code: 1, stdout: "", stderr: "" });
    expect(run("pkg query -g '%n' 'postgresql*'").stdout).toBe("postgresql17-client\n");
    expect(run("pkg info").stdout).toMatch(/^pkg-2\.1\.2 {22}Package manager$/m);
  });
  it("deletes recursively: removing the PostgreSQL client takes py-psycopg2 with it", () => {
    expect(run("pkg install -y coturn").code).toBe(0);
    const r = run("pkg delete -y postgresql17-client");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Installed packages to be REMOVED:\n\tpostgresql17-client: 17.10\n\tpy311-psycopg2: 2.9.10\n",
    );
    expect(run("pkg info -e coturn").code).toBe(0);
    expect(run("pkg delete -y coturn").code).toBe(0);
    expect(run("test -e /usr/local/etc/rc.d/turnserver").code).toBe(1);
    expect(run("pkg delete -y coturn")).toMatchObject({
      code: 1,
      stdout: "1 packages requested for removal: 0 locked, 1 missing\n",
    });
  });
  it("fetch lists what it downloads (-d: with dependencies); create and add keep installed packages as files (pkg-fetch(8), pkg-create(8), pkg-add(8))", () => {
    const f = run("pkg fetch -y -d postgresql16-server");
    expect(f.code).toBe(0);
    expect(f.stdout).toMatch(
      /New packages to be FETCHED:\n\tpostgresql16-server-[0-9.]+\n\tpostgresql16-client-[0-9.]+\n/,
    );
    expect(run("pkg fetch -y nosuchpkg")).toMatchObject({
      code: 1,
      stderr:
        "pkg: No packages available to fetch matching 'nosuchpkg' have been found in the repositories\n",
    });
    expect(run("pkg install -y postgresql16-server").code).toBe(0);
    expect(
      run("mkdir -p /tmp/pkgs && pkg create -o /tmp/pkgs postgresql16-server postgresql16-client")
        .code,
    ).toBe(0);
    expect(run("ls /tmp/pkgs").stdout).toMatch(
      /^postgresql16-client-[0-9.]+\.pkg\npostgresql16-server-[0-9.]+\.pkg\n$/,
    );
    // Deleting the client takes the server that depends on it (pkg-delete(8) is recursive).
    expect(run("pkg delete -y postgresql16-client").code).toBe(0);
    expect(run("pkg info -e postgresql16-server").code).toBe(1);
    // The server's client is the one recorded in its package file, installed first.
    expect(run("pkg add /tmp/pkgs/*.pkg").code).toBe(0);
    expect(run("pkg query -g '%n' 'postgresql*'").stdout).toBe(
      "postgresql16-client\npostgresql16-server\n",
    );
    expect(run("pkg delete -y postgresql16-client && rm -rf /tmp/pkgs").code).toBe(0);
  });
  it("upgrade, clean and autoremove report nothing to do", () => {
    expect(run("pkg upgrade -y").stdout).toContain("Your packages are up to date.");
    expect(run("pkg clean -ay").stdout).toBe("Nothing to do.\n");
  });
});

describe("pw(8)", () => {
  it("adds a nologin user with its group, refuses duplicates with exit 65, shows users", () => {
    expect(
      run("pw useradd synapse -d /nonexistent -s /usr/sbin/nologin -c 'Synapse Daemon' -w no"),
    ).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(run("pw useradd synapse")).toMatchObject({
      code: 65,
      stderr: "pw: login name `synapse' already exists\n",
    });
    expect(run("pw usershow synapse").stdout).toMatch(
      /^synapse:\*:\d+:\d+::0:0:Synapse Daemon:\/nonexistent:\/usr\/sbin\/nologin\n$/,
    );
    expect(run("pw usershow nobody2")).toMatchObject({
      code: 67,
      stderr: "pw: no such user `nobody2'\n",
    });
    expect(run("pw groupadd synapse")).toMatchObject({
      code: 65,
      stderr: "pw: group name `synapse' already exists\n",
    });
    expect(run("pw groupshow nogroup2")).toMatchObject({
      code: 65,
      stderr: "pw: unknown group `nogroup2'\n",
    });
  });
});

describe("service(8) and rc.subr", () => {
  it("reports a missing script on stdout with exit 1", () => {
    expect(run("service nosuch start")).toEqual({
      code: 1,
      stdout:
        "nosuch does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable\n",
      stderr: "",
    });
  });
  it("refuses to start a service that is not enabled, with exit 0, and onestart works", () => {
    expect(
      run("service ntpd stop; sysrc ntpd_enable=NO >/dev/null; service ntpd start"),
    ).toMatchObject({
      stdout:
        "Cannot 'start' ntpd. Set ntpd_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n",
    });
    expect(run("service ntpd onestart")).toMatchObject({ code: 0, stdout: "Starting ntpd.\n" });
    expect(run("service ntpd onestatus").stdout).toMatch(/^ntpd is running as pid \d+\.\n$/);
    expect(run("service ntpd onestart")).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^ntpd already running\? {2}\(pid=\d+\)\.\n$/),
    });
    expect(run("service ntpd onestop").stdout).toMatch(/^Stopping ntpd\.\n/);
    expect(run("service ntpd onestatus")).toEqual({
      code: 1,
      stdout: "ntpd is not running.\n",
      stderr: "",
    });
    expect(run("service ntpd onestop")).toMatchObject({
      code: 1,
      stderr: "ntpd not running? (check /var/db/ntp/ntpd.pid).\n",
    });
  });
  it("enable/disable go through sysrc; rcvar and unknown directives", () => {
    expect(run("service ntpd enable")).toMatchObject({
      code: 0,
      stdout: "ntpd enabled in /etc/rc.conf\n",
    });
    expect(run("service ntpd rcvar").stdout).toBe('# ntpd\n#\nntpd_enable="YES"\n');
    expect(run("service ntpd enabled").code).toBe(0);
    expect(run("service ntpd disable").stdout).toBe("ntpd disabled in /etc/rc.conf\n");
    expect(run("service ntpd enabled").code).toBe(1);
    const bad = run("service ntpd frobnicate");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^\/etc\/rc\.d\/ntpd: unknown directive 'frobnicate'\.\nUsage: \/etc\/rc\.d\/ntpd \[fast\|force\|one\|quiet\]\(start\|stop/,
    );
  });
  it("runs PostgreSQL: initdb as the port does, status before and after start", () => {
    // 15, the oldest server the hosts offer, with its own client: the periodic test below dumps
    // it, and the client test starts a newer server beside it.
    expect(run("pkg install -y postgresql15-server").code).toBe(0);
    expect(run("sysrc postgresql_enable=YES").code).toBe(0);
    const before = run("service postgresql status");
    expect(before.code).toBe(1);
    expect(before.stdout).toContain("status postgresql\n");
    expect(before.stderr).toBe('pg_ctl: directory "/var/db/postgres/data15" does not exist\n');
    const init = run("service postgresql initdb");
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("initdb postgresql\n");
    expect(run("stat -c '%U %a' /var/db/postgres/data15").stdout).toBe("postgres 700\n");
    const stopped = run("service postgresql status");
    expect(stopped).toMatchObject({
      code: 1,
      stdout: "status postgresql\npg_ctl: no server running\n",
    });
    expect(run("service postgresql start").code).toBe(0);
    const after = run("service postgresql status");
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/pg_ctl: server is running \(PID: \d+\)/);
    const q =
      "select pg_encoding_to_char(encoding) || chr(124) || datcollate from pg_database where datname = current_database()";
    expect(run(`su -l postgres -c "psql -tA -c '${q}'"`).stdout).toBe("UTF8|C\n");
  });
  it("runs Apache from the FreeBSD layout: configtest, start, status", () => {
    expect(run("pkg install -y apache24").code).toBe(0);
    expect(run("service apache24 configtest").stdout).toBe(
      "Cannot 'configtest' apache24. Set apache24_enable to YES in /etc/rc.conf or use 'oneconfigtest' instead of 'configtest'.\n",
    );
    const ct = run("service apache24 oneconfigtest");
    expect(ct.stdout).toBe("Performing sanity check on apache24 configuration:\n");
    expect(ct.stderr).toContain("Syntax OK");
    expect(ct.code).toBe(0);
    expect(run("service apache24 onestart").code).toBe(0);
    expect(run("service apache24 onestatus").stdout).toMatch(
      /^apache24 is running as pid \d+\.\n$/,
    );
    expect(run("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/").stdout).toBe("200");
    expect(run("service apache24 onestop").code).toBe(0);
  });
});

describe("ipfw(8)", () => {
  it("records rules, lists them in ipfw's format and tells who may reach SSH", () => {
    // Nothing works before the module is loaded (sbin/ipfw/ipfw2.c).
    expect(run("ipfw list")).toMatchObject({
      code: 71,
      stderr: "ipfw: retrieving config failed: Protocol not available\n",
    });
    expect(run("ipfw testhost-check tcp 203.0.113.8 22").code).toBe(0);
    expect(run("kldload ipfw").code).toBe(0);
    const script = [
      "ipfw -q -f flush",
      "ipfw -q add 100 allow ip from any to any via lo0",
      "ipfw -q add 2000 allow tcp from 198.51.100.0/24 to me 22 setup keep-state",
      "ipfw -q add 65000 deny ip from any to any",
    ].join(" && ");
    expect(run(script).code).toBe(0);
    expect(run("ipfw list").stdout).toBe(
      "00100 allow ip from any to any via lo0\n" +
        "02000 allow tcp from 198.51.100.0/24 to me 22 setup keep-state :default\n" +
        "65000 deny ip from any to any\n" +
        "65535 deny ip from any to any\n",
    );
    expect(run("ipfw -f flush").stdout).toBe("Flushed all rules.\n");
    expect(run("ipfw add 100 allow tcp from 203.0.113.7 to me 22 setup").stdout).toBe(
      "00100 allow tcp from 203.0.113.7 to me 22 setup\n",
    );
    expect(run("ipfw testhost-check tcp 203.0.113.7 22")).toMatchObject({
      code: 0,
      stdout: "allow 00100\n",
    });
    expect(run("ipfw testhost-check tcp 203.0.113.8 22")).toMatchObject({
      code: 1,
      stdout: "deny 65535\n",
    });
    // Loading the module enables it for both families (net.inet.ip.fw.enable=1,
    // net.inet6.ip6.fw.enable=1): rc.d/ipfw's status, which adds both up, says so until both are off.
    expect(run("service ipfw status")).toMatchObject({ code: 0, stdout: "ipfw is enabled\n" });
    expect(run("sysctl net.inet.ip.fw.enable=0").stdout).toBe("net.inet.ip.fw.enable: 1 -> 0\n");
    expect(run("service ipfw status")).toMatchObject({ code: 0, stdout: "ipfw is enabled\n" });
    expect(run("sysctl net.inet6.ip6.fw.enable=0").stdout).toBe(
      "net.inet6.ip6.fw.enable: 1 -> 0\n",
    );
    expect(run("service ipfw status")).toMatchObject({ code: 1, stdout: "ipfw is not enabled\n" });
  });
});

describe("mail", () => {
  it("newaliases has no mapping in dma's mailer.conf, as on FreeBSD 14", () => {
    expect(run("newaliases")).toEqual({
      code: 78,
      stdout: "",
      stderr: "mailwrapper: no mapping in /etc/mail/mailer.conf\n",
    });
  });
});

describe("periodic(8)", () => {
  it("runs the port's 502.pgsql: dumps every database and vacuums, as periodic.conf says", () => {
    expect(run("service postgresql status").code).toBe(0);
    run(
      'printf \'daily_pgsql_backup_enable="YES"\\ndaily_pgsql_vacuum_enable="YES"\\n\' > /etc/periodic.conf',
    );
    const r = run("periodic daily");
    expect(r.stdout).toContain("PostgreSQL backups");
    expect(r.stdout).toContain("PostgreSQL vacuum");
    expect(r.code).toBe(0);
    expect(run("ls /var/db/postgres/backups/ | sed 's/_[0-9].*//' | sort -u").stdout).toBe(
      "pgdump_postgres\npgdump_template1\npgglobals\n",
    );
  });
});

describe("the PostgreSQL client", () => {
  it("pg_dump and pg_dumpall are the package's major: a newer server is refused, as pg_dump 15 refuses it", () => {
    // src/bin/pg_dump/pg_backup_db.c (_check_database_version) and pg_dumpall.c: a server newer
    // than the client's own major is "aborting because of server version mismatch", exit 1.
    expect(run("pg_dump --version").stdout).toBe("pg_dump (PostgreSQL) 15.18\n");
    // A newer server beside the packaged 15 (pkg would never pair them; a careless hand might).
    const pg17 = "/opt/postgresql/17/bin";
    try {
      const start = run(
        `su -l postgres -c '${pg17}/initdb -D /tmp/pg17 -U postgres -A trust >/dev/null && ${pg17}/pg_ctl -D /tmp/pg17 -o "-p 5433 -k /tmp" -l /tmp/pg17.log -w start >/dev/null'`,
      );
      expect(start.code, start.stderr).toBe(0);
      // The server named every way the programs take it: options, a bundle, a connection string
      // as the database argument, pg_dumpall's -t (no value) before them.
      for (const [prog, args] of [
        ["pg_dump", "-h /tmp -p 5433 -Fc postgres"],
        ["pg_dump", "-vh/tmp -p5433 postgres"],
        ["pg_dump", '"host=/tmp port=5433 dbname=postgres"'],
        ["pg_dumpall", "--host=/tmp --port=5433 --roles-only"],
        ["pg_dumpall", "-t -h /tmp -p 5433"],
      ]) {
        const r = run(`su -l postgres -c '${prog} ${args}'`);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(
          new RegExp(
            `^${prog}: error: aborting because of server version mismatch\n${prog}: detail: server version: 17\\.\\d+; ${prog} version: 15\\.18\n$`,
          ),
        );
        expect(r.code).toBe(1);
      }
      // A server it cannot reach: pg_dump's own error, whatever the check could not ask.
      const none = run("su -l postgres -c 'pg_dump -h /tmp -p 5999 postgres'");
      expect(none.stderr).toMatch(
        /^pg_dump: error: connection to server on socket "\/tmp\/\.s\.PGSQL\.5999" failed: No such file or directory\n/,
      );
      expect(none.code).toBe(1);
      // Its own major's server it dumps.
      const own = run("su -l postgres -c 'pg_dump postgres'");
      expect(own.code, own.stderr).toBe(0);
      expect(own.stdout).toContain("PostgreSQL database dump");
    } finally {
      run(
        `su -l postgres -c '${pg17}/pg_ctl -D /tmp/pg17 -m fast -w stop'; rm -rf /tmp/pg17 /tmp/pg17.log`,
      );
    }
  });
});

describe("the packaged Synapse", () => {
  it("py311-matrix-synapse pulls the default client, replacing PostgreSQL 15, and installs a prebuilt Synapse", () => {
    expect(run("pkg info -e postgresql15-server").code).toBe(0);
    const r = run("pkg install -y py311-matrix-synapse");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Installed packages to be REMOVED:\n\tpostgresql15-client: 15.18\n\tpostgresql15-server: 15.18\n",
    );
    expect(run("pkg info -e postgresql15-server").code).toBe(1);
    expect(
      run("/usr/local/bin/python3.11 -c 'import synapse; print(synapse.__version__)'").stdout,
    ).toBe("1.116.0\n");
    expect(run("service synapse rcvar").stdout).toBe('# synapse\n#\nsynapse_enable="NO"\n');
  });
});

// Checked last, armed first: cron runs a line at the next minute's start, so its wait of up to a
// minute overlaps the other tests instead of adding to them.
describe("cron(8)", () => {
  it("is the emulation, started at boot, and runs a line of /usr/local/etc/cron.d within a minute", async () => {
    expect(run("service cron status").stdout).toMatch(/^cron is running as pid \d+\.\n$/);
    const end = cronArmedAt + 75_000;
    while (Date.now() < end && run("test -e /tmp/cron-ran").code !== 0)
      await new Promise((r) => setTimeout(r, 1000));
    expect(run("test -e /tmp/cron-ran").code).toBe(0);
    expect(run("grep -c '(root) CMD (touch /tmp/cron-ran)' /var/log/cron").stdout).not.toBe("0\n");
    run("rm -f /usr/local/etc/cron.d/probe");
  }, 90_000);
});
