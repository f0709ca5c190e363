// Scheduled backups on a test host: matrix1 converged with backup.scheduled (keep 2) and an
// offsite restic repository over sftp on a second test host (a user there with the key provision
// installs from the secrets store); the cron entry's command run as cron runs it, three times;
// retention keeps two and never touches what it did not make; restic lists the copies, one
// restored from the repository is accepted by `provision restore` (verified against its
// manifest, then the host compared with it); the password is never in output, logs or `ps`;
// a failed run leaves no unfinished directory and `provision check` reports it; the backup and
// provision exclude each other through provision's lock; a writable parent directory is refused;
// Synapse that does not start again after the dump fails the run (the backup kept); TERM while
// the row counts wait on a lock ends the run at once with Synapse started again; a run KILLed
// with Synapse stopped is reported by `provision check` and the next run starts Synapse;
// turning the schedule off removes the cron entry and the script, never the backups.
// Also: `provision check` on the converged host. Prints the times taken.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBackup } from "../../src/ops/manifest.js";
import type { HostSet } from "../../testhost/src/hosts.js";
import { cli, ROOT } from "../helpers/cli.js";
import { loadSynapseRows } from "../helpers/synapse-rows.js";
import { testHostsOnly } from "../helpers/target.js";
import { sh, testHosts } from "../helpers/testhost.js";

const SCHEMA = join(ROOT, "../shared/reference/synapse-schema-72.postgres.sql");
const present = existsSync(SCHEMA);
if (!present)
  console.warn(
    `skipping the scheduled-backup tests: ${SCHEMA} not found (reference material absent)`,
  );
const onlyHere = testHostsOnly("a second host serving the restic repository over sftp");
if (onlyHere) console.warn(`skipping the scheduled-backup tests: ${onlyHere}`);

const DIR = "/var/backups/matrix";
const CRON = "/usr/local/etc/cron.d/provision-backup";
const SCRIPT = "/usr/local/sbin/provision-backup";
const REPO_PATH = "/srv/restic/matrix1";
const PASSWORD = "correct-horse-battery-staple-7f3a9c";

let set: HostSet & { stop: () => Promise<void> };
let inv: string;
let env: Record<string, string>;
const outputs: string[] = [];
const run = (args: string[], input?: string) => {
  const r = cli([...args, "-i", inv], { env, ...(input !== undefined ? { input } : {}) });
  outputs.push(r.stdout, r.stderr);
  return r;
};
/** provision check --json's findings, one `CHECK=STATUS: DETAIL` line each. */
const checkResults = (stdout: string): string[] =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === "check_result")
    .map((e) => `${e.check}=${e.status}: ${e.detail}`);
const psql = (sql: string) =>
  sh(set, 0, `su -l postgres -c "psql -XtA -d synapse -c \\"${sql}\\""`).stdout.trim();
/** restic on the repository host, against the repository's directory. */
const RESTIC_THERE = `restic -r ${REPO_PATH} --password-file /root/restic-pw`;
const resticThere = (args: string) => sh(set, 1, `${RESTIC_THERE} ${args}`);

/** The command of the cron entry, run with cron's environment (crontab(5): SHELL, PATH, HOME, LOGNAME). */
function runAsCron(): { code: number; out: string; ms: number } {
  const entry = sh(set, 0, `grep -v '^#' ${CRON} | grep -v '=' | grep .`).stdout.trim();
  const fields = entry.split("\t");
  expect(fields[1]).toBe("root");
  const command = fields.slice(2).join("\t");
  const t = Date.now();
  const r = sh(
    set,
    0,
    `cd / && env -i SHELL=/bin/sh HOME=/root LOGNAME=root USER=root PATH=/etc:/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin:/usr/local/sbin /bin/sh -c ${JSON.stringify(command)}`,
  );
  return { code: r.code, out: r.stdout + r.stderr, ms: Date.now() - t };
}

describe.skipIf(!present || onlyHere)(
  "scheduled backups with an offsite copy",
  { timeout: 1_200_000 },
  () => {
    beforeAll(async () => {
      set = await testHosts(2);
      const repoHost = set.hosts[1];
      if (!repoHost) throw new Error("no second host");
      // The repository host: a user that may log in with one key, sftp only by use.
      const keyDir = join(set.dir, "restic-key");
      mkdirSync(keyDir);
      const kg = spawnSync("ssh-keygen", [
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "backup",
        "-f",
        join(keyDir, "id"),
      ]);
      expect(kg.status).toBe(0);
      const setup = sh(
        set,
        1,
        [
          "useradd -m -s /bin/sh restic",
          "mkdir -p /home/restic/.ssh /srv/restic",
          "cat > /home/restic/.ssh/authorized_keys",
          "chmod 700 /home/restic/.ssh && chmod 600 /home/restic/.ssh/authorized_keys",
          "chown -R restic:restic /home/restic/.ssh /srv/restic",
        ].join(" && "),
        readFileSync(join(keyDir, "id.pub"), "utf8"),
      );
      expect(setup).toMatchObject({ code: 0 });
      const hostKey = sh(set, 1, "cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub").stdout.trim();
      expect(hostKey).toMatch(/^ssh-ed25519 /);

      // One homeserver, on the inventory's PostgreSQL (17).
      const all = readFileSync(join(set.dir, "inventory.yaml"), "utf8");
      const [head = ""] = all.split("    matrix2:\n");
      inv = join(set.dir, "scheduled.yaml");
      writeFileSync(
        inv,
        `${head}${[
          "      backup:",
          "        scheduled: { enabled: true, keep: 2 }",
          "        offsite:",
          `          repository: "sftp:restic@${repoHost.ip}:${REPO_PATH}"`,
          "          password: { secret: restic_password }",
          "          ssh_key: { secret: restic_ssh_key }",
          `          known_hosts: ["${repoHost.ip} ${hostKey}"]`,
          "          keep: 2",
          "",
        ].join("\n")}`,
      );
      env = { PROVISION_AGE_IDENTITY_FILE: join(set.dir, "age.txt") };
      // init generates the recipe's secrets and names the two the inventory references.
      const init = run(["secrets", "init"]);
      expect(init.stdout + init.stderr).toContain("Still missing: restic_password");
      expect(run(["secrets", "set", "restic_password"], PASSWORD).code).toBe(0);
      expect(
        run(
          ["secrets", "set", "restic_ssh_key"],
          readFileSync(join(keyDir, "id")).toString("base64"),
        ).code,
      ).toBe(0);
      sh(set, 1, "umask 077 && cat > /root/restic-pw", PASSWORD);
    }, 1_200_000);
    afterAll(async () => set?.stop());

    it("plans and applies the schedule like every other resource; a second plan is empty", () => {
      const plan = run(["plan"]);
      expect(plan.code, plan.stderr + plan.stdout.slice(-2000)).toBe(0);
      for (const what of [
        SCRIPT,
        CRON,
        "/usr/local/etc/provision/restic/password",
        "open the restic repository",
        "restic",
      ])
        expect(plan.stdout).toContain(what);
      const t = Date.now();
      const apply = run(["apply", "--yes"]);
      console.log(`apply with the schedule: ${((Date.now() - t) / 1000).toFixed(0)} s`);
      if (apply.code !== 0)
        throw new Error(`apply failed: ${apply.stderr}${apply.stdout.slice(-3000)}`);
      expect(run(["plan"]).stdout).toContain("No changes.");
      // Root's alone: the script, the restic settings, the backup directory.
      expect(
        sh(
          set,
          0,
          `stat -c '%a %U' ${SCRIPT} ${DIR} /usr/local/etc/provision/restic /usr/local/etc/provision/restic/password /usr/local/etc/provision/restic/ssh_key`,
        ).stdout,
      ).toBe("700 root\n700 root\n700 root\n600 root\n600 root\n");
      // The cron line names the script only: no password, no repository secret.
      const cron = sh(set, 0, `cat ${CRON}`).stdout;
      expect(cron).toMatch(/^30 2 \* \* \*\troot\t\/usr\/local\/sbin\/provision-backup /m);
      expect(cron).not.toContain(PASSWORD);
      expect(sh(set, 0, `grep -c . /var/db/provision/restic-repository`).stdout.trim()).toBe("1");
      // The repository was created on the other host by the apply.
      expect(resticThere("cat config").code).toBe(0);
    });

    it("the cron job makes restorable backups, keeps 2 of its own, copies each offsite, shows no key", () => {
      loadSynapseRows(set, 0, SCHEMA);
      // What the schedule did not make stays: a directory without its marker, a symbolic link,
      // another name, all older than any backup it makes.
      sh(
        set,
        0,
        `mkdir ${DIR}/matrix1-20000101T000000Z ${DIR}/notes && ln -s /etc ${DIR}/matrix1-20000102T000000Z`,
      );
      // Every process's command line while the jobs run.
      sh(
        set,
        0,
        "touch /tmp/sampling; (while [ -e /tmp/sampling ]; do ps -eo args; sleep 0.1; done > /tmp/ps.log 2>&1 &)",
      );
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = runAsCron();
        // cron mails what is printed: a run that succeeds prints nothing.
        expect(r).toMatchObject({ code: 0, out: "" });
        times.push(r.ms);
        sh(set, 0, "sleep 1");
      }
      sh(set, 0, "rm -f /tmp/sampling; sleep 0.3");
      console.log(
        `scheduled backup with the offsite copy, 3 runs: ${times.map((t) => `${(t / 1000).toFixed(1)} s`).join(", ")}`,
      );
      const listing = sh(set, 0, `ls -A ${DIR}`).stdout.trim().split("\n");
      const made = listing.filter(
        (n) => /^matrix1-\d{8}T\d{6}Z$/.test(n) && !n.startsWith("matrix1-2000"),
      );
      expect(made).toHaveLength(2);
      expect(listing.sort()).toEqual(
        [...made, "matrix1-20000101T000000Z", "matrix1-20000102T000000Z", "notes"].sort(),
      );
      expect(sh(set, 0, "ls /etc/hosts").code).toBe(0);
      const newest = made.sort().at(-1) as string;
      expect(sh(set, 0, `stat -c '%a' ${DIR}/${newest} ${DIR}/${newest}/synapse.dump`).stdout).toBe(
        "700\n600\n",
      );
      const manifest = JSON.parse(sh(set, 0, `cat ${DIR}/${newest}/MANIFEST.json`).stdout);
      expect(manifest).toMatchObject({
        host: "matrix1",
        server_name: "matrix1.example.test",
        postgresql_major: 17,
      });
      expect(manifest.tables.events).toBe(20000);
      expect(manifest.tables.e2e_one_time_keys_json).toBe(0);
      expect(Object.keys(manifest.media)).toHaveLength(9);
      expect(sh(set, 0, "curl -sf http://127.0.0.1:8008/health").stdout).toBe("OK");

      // The repository keeps 2 snapshots (forget --keep-last 2 --prune), the newest the newest backup.
      const snaps = JSON.parse(resticThere("snapshots --json").stdout) as { paths: string[] }[];
      expect(snaps).toHaveLength(2);
      expect(
        snaps
          .map((s) => s.paths[0])
          .sort()
          .at(-1),
      ).toBe(`${DIR}/${newest}`);

      // The password: never on a command line, in the job's log or in any output.
      const ps = sh(set, 0, "cat /tmp/ps.log").stdout;
      expect(ps).toContain("restic");
      expect(ps).not.toContain(PASSWORD);
      expect(sh(set, 0, "cat /var/log/provision-backup.log").stdout).not.toContain(PASSWORD);
      for (const o of outputs) expect(o).not.toContain(PASSWORD);
    });

    it("`provision check` on the converged host: every finding ok but what the test host cannot answer", () => {
      // The test CA's roots stand for the public CA a real host trusts (ca_root_nss).
      const acme = set.containers[set.containers.length - 1]?.getId() as string;
      const roots = spawnSync(
        "docker",
        ["exec", acme, "curl", "-sSk", "https://127.0.0.1:15000/roots/0"],
        { env: { ...process.env, DOCKER_HOST: set.engine.host }, encoding: "utf8" },
      ).stdout;
      expect(roots).toContain("BEGIN CERTIFICATE");
      sh(set, 0, "cat >> /etc/ssl/certs/ca-certificates.crt", roots);
      const t = Date.now();
      const check = run(["check", "--host", "matrix1", "--json"]);
      const ms = Date.now() - t;
      console.log(`provision check: ${ms} ms`);
      const results = checkResults(check.stdout);
      // pkg audit: the test host does not model VuXML matching (its pkg refuses to judge, 65/70),
      // so that one finding is unknown; everything else is ok, HTTPS and TURN included.
      const notOk = results.filter((r) => !r.includes("=ok: "));
      // The stand-in Synapse serves no /_matrix/key/v2/server (Debian's real Synapse does: the
      // real-Synapse tests ask it through Apache), so the federation port answers 404 here.
      expect(notOk).toEqual([
        "federation port=critical: HTTP 404",
        expect.stringMatching(/^pkg audit=unknown: /),
      ]);
      for (const want of [
        "Synapse /health on its listener=ok",
        "client API through Apache=ok",
        "TURN=ok: answers STUN",
        "pending handlers=ok: none",
      ])
        expect(results.some((r) => r.startsWith(want))).toBe(true);
      expect(check.code).toBe(2);
      // A restart an interrupted apply left due is reported, and the exit code says warning at least.
      sh(set, 0, "printf 'coturn\\trestart turnserver\\n' > /var/db/provision/pending-handlers");
      const due = run(["check", "--host", "matrix1"]);
      expect(due.stdout).toContain("restart turnserver (coturn)");
      sh(set, 0, "rm -f /var/db/provision/pending-handlers");
    });

    it("a backup restored from the repository is accepted by provision restore", async () => {
      const restored = sh(
        set,
        1,
        `rm -rf /tmp/r && ${RESTIC_THERE} restore latest --target /tmp/r >/dev/null && ls /tmp/r${DIR}`,
      );
      expect(restored, "restic restore on the repository host").toMatchObject({ code: 0 });
      const name = restored.stdout.trim();
      const local = join(set.dir, "from-offsite");
      mkdirSync(local);
      const tar = spawnSync(
        "docker",
        ["exec", set.hosts[1]?.id as string, "tar", "-cf", "-", "-C", `/tmp/r${DIR}`, name],
        {
          env: { ...process.env, DOCKER_HOST: set.engine.host },
          maxBuffer: 1 << 28,
        },
      );
      expect(tar.status).toBe(0);
      expect(spawnSync("tar", ["-xf", "-", "-C", local], { input: tar.stdout }).status).toBe(0);
      const dir = join(local, name);
      const m = await verifyBackup(dir);
      expect(m.tables.users).toBe(3000);
      // Restored onto the same homeserver after rows were lost: back to the backup's counts.
      psql("DELETE FROM events WHERE stream_ordering > 10000");
      const r = run(["restore", "--host", "matrix1", "--from", dir, "--yes"]);
      if (r.code !== 0) console.log(`restore failed:\n${r.stdout}\n${r.stderr}`);
      expect(r.stdout).toContain("row counts: ok");
      expect(r.stdout).toContain("media checksums: ok: 9 files equal");
      expect(r.code).toBe(0);
      expect(psql("SELECT count(*) FROM events")).toBe("20000");
    });

    it("one run at a time; a backup directory that is a symbolic link is refused", () => {
      // A second run while one holds the lock gives up at once (lockf -t 0: EX_TEMPFAIL).
      sh(
        set,
        0,
        `(${SCRIPT} > /tmp/first.log 2>&1; echo "exit $?" >> /tmp/first.log) >/dev/null 2>&1 </dev/null &`,
      );
      sh(set, 0, "sleep 0.5");
      const second = sh(set, 0, SCRIPT);
      expect(second.code).toBe(75);
      expect(second.stderr).toContain("already locked");
      expect(
        sh(
          set,
          0,
          "for i in $(seq 60); do grep -q '^exit' /tmp/first.log && break; sleep 1; done; cat /tmp/first.log",
        ).stdout,
      ).toMatch(/complete in \d+s[\s\S]*exit 0\n$/);
      // Through a symbolic link the script would write (and remove) elsewhere: refused.
      sh(set, 0, `mv ${DIR} ${DIR}.real && ln -s ${DIR}.real ${DIR}`);
      const linked = sh(set, 0, SCRIPT);
      expect(linked.code).toBe(1);
      expect(linked.stderr).toContain(`${DIR} is a symbolic link: refused`);
      sh(set, 0, `rm ${DIR} && mv ${DIR}.real ${DIR}`);
    });

    it("a failed run removes its unfinished directory and earlier ones, and check reports it", () => {
      // An earlier run's leftover (its marker and name pattern), and a media file only root may
      // read: the media store is read as synapse, so this run fails there.
      const leftover = `${DIR}/matrix1-20000103T000000Z.partial`;
      const rootOnly = "/var/db/matrix-synapse/media_store/root-only";
      sh(
        set,
        0,
        `mkdir ${leftover} && touch ${leftover}/.provision-scheduled && echo secret > ${rootOnly} && chmod 600 ${rootOnly}`,
      );
      const r = runAsCron();
      sh(set, 0, `rm -f ${rootOnly}`);
      // cron mails the log of a run that failed.
      expect(r.out).toContain(`removed unfinished ${leftover}`);
      expect(r.out).toContain("Permission denied");
      expect(r.out).toMatch(
        /provision-backup: removed unfinished \/var\/backups\/matrix\/matrix1-\d{8}T\d{6}Z\.partial/,
      );
      expect(sh(set, 0, `ls -A ${DIR}`).stdout).not.toContain(".partial");
      expect(sh(set, 0, "curl -sf http://127.0.0.1:8008/health").stdout).toBe("OK");
      const check = run(["check", "--host", "matrix1", "--json"]);
      const results = checkResults(check.stdout);
      expect(results).toContainEqual(
        expect.stringMatching(
          /^scheduled backup run=warning: the last run failed at \S+Z: archiving the media store failed: .*Permission denied.*; see \/var\/log\/provision-backup.log$/,
        ),
      );
      expect(results).toContainEqual(
        expect.stringMatching(/^disk \/var\/backups\/matrix=ok: \d+ MiB free/),
      );
    });

    it("never beside provision: refused while provision holds its lock, and holds it itself", () => {
      // provision's lock held as apply holds it (lockf, its owner on the first line).
      sh(
        set,
        0,
        `(lockf -k -t 0 /var/run/provision.lock /bin/sh -c 'echo "provision apply by ops, process $$ on the host" > /var/run/provision.lock; sleep 3' &) >/dev/null 2>&1; sleep 0.5`,
      );
      const refused = sh(set, 0, SCRIPT);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        "provision-backup: provision holds /var/run/provision.lock (provision apply by ops, process",
      );
      sh(set, 0, "while ! lockf -s -k -t 0 /var/run/provision.lock true; do sleep 0.2; done");
      // A backup stopped mid-run (SIGSTOP: it keeps its locks) makes apply refuse, naming it.
      sh(
        set,
        0,
        `(${SCRIPT} > /tmp/held.log 2>&1; echo "exit $?" >> /tmp/held.log) >/dev/null 2>&1 </dev/null &`,
      );
      const pid = sh(
        set,
        0,
        "for i in $(seq 50); do grep -q '^scheduled backup' /var/run/provision.lock && break; sleep 0.1; done; sed -n 's/.*, process \\([0-9]*\\) on the host$/\\1/p' /var/run/provision.lock",
      ).stdout.trim();
      expect(pid).toMatch(/^\d+$/);
      sh(set, 0, `kill -STOP ${pid}`);
      const apply = run(["apply", "--yes"]);
      sh(set, 0, `kill -CONT ${pid}`);
      expect(apply.code).toBe(1);
      expect(apply.stderr).toContain(
        `is locked (scheduled backup (${SCRIPT}), process ${pid} on the host)`,
      );
      expect(
        sh(
          set,
          0,
          "for i in $(seq 60); do grep -q '^exit' /tmp/held.log && break; sleep 1; done; cat /tmp/held.log",
        ).stdout,
      ).toMatch(/complete in \d+s[\s\S]*exit 0\n$/);
    });

    it("refuses a backup directory with a parent another user may write", () => {
      sh(set, 0, "chmod g+w /var/backups");
      const r = sh(set, 0, SCRIPT);
      sh(set, 0, "chmod g-w /var/backups");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        "provision-backup: /var/backups, a parent of /var/backups/matrix, is not a directory that only root owns and may write: refused",
      );
    });

    /** Synapse answers on its health endpoint (waits up to 60 s). */
    const healthy = () =>
      sh(
        set,
        0,
        "for i in $(seq 60); do curl -sf http://127.0.0.1:8008/health && exit 0; sleep 1; done; exit 1",
      ).stdout === "OK";
    const lastRun = () => sh(set, 0, "cat /var/db/provision/scheduled-backup-last").stdout;
    /** A session holding a table lock for 40 s: the row counts and the dump wait for it. */
    const blockTables = () =>
      sh(
        set,
        0,
        `(su -l postgres -c "psql -XtA -d synapse -c 'BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(40); COMMIT'" >/dev/null 2>&1 &); sleep 1`,
      );
    const unblockTables = () =>
      sh(
        set,
        0,
        `su -l postgres -c "psql -XtA -c \\"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(40)%' AND pid <> pg_backend_pid()\\"" >/dev/null`,
      );
    /** Starts the script in the background; its pid (from provision's lock) once Synapse is stopped. */
    const startStuckRun = (log: string) => {
      sh(
        set,
        0,
        `(${SCRIPT} > ${log} 2>&1; echo "exit $?" >> ${log}) >/dev/null 2>&1 </dev/null &`,
      );
      const pid = sh(
        set,
        0,
        "for i in $(seq 50); do grep -q '^scheduled backup' /var/run/provision.lock && break; sleep 0.1; done; for i in $(seq 100); do service synapse onestatus >/dev/null 2>&1 || break; sleep 0.1; done; sleep 1; sed -n 's/.*, process \\([0-9]*\\) on the host$/\\1/p' /var/run/provision.lock",
      ).stdout.trim();
      expect(pid).toMatch(/^\d+$/);
      expect(sh(set, 0, "service synapse onestatus").code).not.toBe(0);
      return pid;
    };
    const waitExit = (log: string) => {
      const t = Date.now();
      const out = sh(
        set,
        0,
        `for i in $(seq 600); do grep -q '^exit' ${log} && break; sleep 0.1; done; cat ${log}`,
      ).stdout;
      return { out, ms: Date.now() - t };
    };

    it("Synapse that does not start again after the dump fails the run; the backup is kept and the record says so", () => {
      // service(8) refusing only Synapse's start (the real one moved aside meanwhile).
      sh(
        set,
        0,
        `mv /usr/sbin/service /usr/sbin/service.real && printf '#!/bin/sh\\ncase "$*" in "synapse onestart") echo "synapse: not started (test)" >&2; exit 1 ;; esac\\nexec /usr/sbin/service.real "$@"\\n' > /usr/sbin/service && chmod 755 /usr/sbin/service`,
      );
      const r = runAsCron();
      sh(
        set,
        0,
        "mv -f /usr/sbin/service.real /usr/sbin/service; service synapse onestart >/dev/null 2>&1 || true",
      );
      expect(healthy()).toBe(true);
      // cron mails the log of a run that failed.
      expect(r.out).toContain("provision-backup: Synapse did not start again");
      const last = lastRun();
      expect(last).toMatch(
        /^failed\t\S+Z\tSynapse did not start again after the database dump .*; the backup \/var\/backups\/matrix\/matrix1-\d{8}T\d{6}Z is complete and kept\n$/,
      );
      const kept = /(\/var\/backups\/matrix\/matrix1-\d{8}T\d{6}Z)/.exec(last)?.[1];
      expect(sh(set, 0, `test -f ${kept}/MANIFEST.json`).code).toBe(0);
    });

    it("TERM while the row counts wait on a lock: the run ends at once, Synapse starts again, the run is recorded failed", () => {
      blockTables();
      const pid = startStuckRun("/tmp/term.log");
      sh(set, 0, `kill -TERM ${pid}`);
      const ended = waitExit("/tmp/term.log");
      unblockTables();
      console.log(`TERM to the end of the run: ${ended.ms} ms`);
      expect(ended.ms).toBeLessThan(10_000);
      expect(ended.out).toMatch(/exit 1\n$/);
      expect(healthy()).toBe(true);
      expect(lastRun()).toMatch(
        /^failed\t\S+Z\tstopped by a signal during dumping the database\n$/,
      );
      expect(sh(set, 0, `ls -A ${DIR}`).stdout).not.toContain(".partial");
    });

    it("a run KILLed with Synapse stopped: check reports it, the next run starts Synapse and records it", () => {
      blockTables();
      const pid = startStuckRun("/tmp/kill.log");
      sh(set, 0, `kill -KILL ${pid}`);
      waitExit("/tmp/kill.log");
      unblockTables();
      expect(sh(set, 0, "sleep 1; service synapse onestatus").code).not.toBe(0);
      const check = run(["check", "--host", "matrix1", "--json"]);
      const results = checkResults(check.stdout);
      expect(results).toContainEqual(
        expect.stringMatching(
          /^synapse stopped by a backup=critical: a scheduled backup \(run started \S+Z, process \d+\) stopped Synapse and ended without starting it again/,
        ),
      );
      const r = runAsCron();
      expect(r).toMatchObject({ code: 0, out: "" });
      expect(healthy()).toBe(true);
      expect(lastRun()).toMatch(
        /^ok\t\S+Z\tan earlier run \(run started \S+Z, process \d+\) ended with Synapse stopped by it; Synapse started again at \S+Z\n$/,
      );
      expect(sh(set, 0, "test -e /var/db/provision/synapse-stopped-by-backup").code).toBe(1);
    });

    it("turned off, the cron entry, script and restic settings go; the backups and copies stay", () => {
      const before = sh(set, 0, `ls ${DIR}`).stdout;
      writeFileSync(
        inv,
        readFileSync(inv, "utf8").replace(
          / {6}backup:\n[\s\S]*$/,
          "      backup:\n        scheduled: { enabled: false }\n",
        ),
      );
      const plan = run(["plan"]);
      expect(plan.stdout).toContain(CRON);
      const apply = run(["apply", "--yes"]);
      if (apply.code !== 0)
        throw new Error(`apply failed: ${apply.stderr}${apply.stdout.slice(-3000)}`);
      for (const gone of [
        CRON,
        SCRIPT,
        "/usr/local/etc/provision/restic/password",
        "/usr/local/etc/provision/restic/ssh_key",
      ])
        expect(sh(set, 0, `test -e ${gone}`).code).toBe(1);
      expect(sh(set, 0, `ls ${DIR}`).stdout).toBe(before);
      expect(JSON.parse(resticThere("snapshots --json").stdout)).toHaveLength(2);
      expect(run(["plan"]).stdout).toContain("No changes.");
    });
  },
);
