// The scheduled backup as the plan writes it: a POSIX sh script and a cron.d entry (FreeBSD's
// paths), restic's password only in a root-only file, the schedule's pieces planned like every
// other resource and taken away (never the backups) when it is turned off.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { freshFacts } from "../../src/facts/types.js";
import { SCHEDULED } from "../../src/ops/scheduled-backup.js";
import { buildPlan, prepare } from "../../src/plan/build.js";
import { fileOf, fixedSecrets, hostsFrom, renderMap } from "../helpers/render.js";

const PASSWORD = "restic-password-4b1d0c";
const SSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
// Secrets are one line: the key file is stored base64-encoded.
const secrets = fixedSecrets({
  restic_password: PASSWORD,
  restic_ssh_key: Buffer.from(`${SSH_KEY}\n`).toString("base64"),
});

function host(backup: string) {
  const [h] = hostsFrom(`all:
  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1] }
  hosts:
    matrix:
      server_name: m.example.org
      public_ipv4: 192.0.2.10
${backup}`);
  if (!h) throw new Error("no host");
  return h;
}

const SFTP = `      backup:
        scheduled: { enabled: true, keep: 3, schedule: "15 4 * * *" }
        offsite:
          repository: "sftp:restic@192.0.2.20:/srv/restic/m"
          password: { secret: restic_password }
          ssh_key: { secret: restic_ssh_key }
          ssh_port: 2222
          known_hosts: ["[192.0.2.20]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq"]
          keep: 10
`;

describe("the scheduled backup's files", () => {
  const files = renderMap(host(SFTP), secrets);
  const script = fileOf(files, SCHEDULED.script);

  it("a /bin/sh script that sh -n accepts, with FreeBSD's paths and no secret in it", () => {
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    const r = spawnSync("sh", ["-n"], { input: script, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(script).not.toMatch(/\bbash\b|\[\[|\bsha256sum\b|stat -c/);
    expect(script).toContain("/usr/local/bin/restic");
    expect(script).toContain(
      "/usr/local/bin/pg_dump -Fc --lock-wait-timeout=120000 --exclude-table-data=e2e_one_time_keys_json synapse",
    );
    expect(script).toContain("RESTIC_PASSWORD_FILE=/usr/local/etc/provision/restic/password");
    expect(script).toContain("-p 2222 restic@192.0.2.20 -s sftp");
    expect(script).toContain("--group-by host,tags --keep-last 10 --prune");
    expect(script).toContain("KEEP=3");
    expect(script).not.toContain(PASSWORD);
    expect(script).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    expect(files.get(SCHEDULED.script)).toMatchObject({
      owner: "root",
      group: "wheel",
      mode: "0700",
    });
  });

  it("checks the room before Synapse stops, and fails cleanly: its own unfinished directory goes, the result is recorded", () => {
    const room = script.indexOf("not enough room in");
    expect(room).toBeGreaterThan(0);
    expect(room).toBeLessThan(script.indexOf("service synapse onestop"));
    expect(script).toContain("pg_database_size(current_database())");
    expect(script).toContain("du -sk /var/db/matrix-synapse/media_store");
    expect(script).toContain("trap 'finish $?' EXIT");
    // Earlier runs' unfinished directories go before this run writes anything.
    expect(script.indexOf('for d in "$DIR/$HOST"-*.partial')).toBeLessThan(room);
    expect(script).toContain(SCHEDULED.lastRun);
  });

  it("refuses a backup directory with a parent another user owns or may write (find, as FreeBSD has it)", () => {
    expect(script).toContain(
      `[ -n "$(find "\${p:-/}" -maxdepth 0 -type d -user 0 ! -perm -020 ! -perm -002)" ]`,
    );
    expect(script).not.toMatch(/\bstat -f\b/);
  });

  it("lists, archives and sums the media store as synapse, never as root", () => {
    const media = script.slice(script.indexOf('step="archiving the media store"'));
    const lines = media
      .slice(0, media.indexOf("present="))
      .split("\n")
      .filter((l) => /\b(find|tar|openssl)\b/.test(l) && !l.startsWith("#"));
    // One listing, the archive and the checksums, each from that listing.
    expect(lines.length).toBe(3);
    for (const l of lines) expect(l).toMatch(/^\s*(run_child )?su -m synapse -c '[^']+' /);
  });

  it("runs the database's and the media's long children in the background, so a signal ends the run at once", () => {
    for (const long of [
      "lock_timeout=120000",
      "/usr/local/bin/pg_dump -Fc --lock-wait-timeout=120000",
      "/usr/local/bin/pg_dumpall --roles-only",
      "tar -cf - --no-recursion -T -",
      "xargs openssl dgst -sha256 -r",
      "restic backup",
      "restic forget",
    ]) {
      const line = script.split("\n").find((l) => l.includes(long)) ?? "";
      expect(line, long).toMatch(/^\s*run_child /);
    }
    expect(script).toContain(
      `trap 'why="\${why:-stopped by a signal during $step}"; exit 1' HUP INT TERM`,
    );
    // Synapse stopped by the run is marked until it runs again; a run that finds the mark starts it.
    const stop = script.indexOf("service synapse onestop");
    expect(script.lastIndexOf('> "$STOPPED"', stop)).toBeGreaterThan(0);
    expect(script).toContain("STOPPED=/var/db/provision/synapse-stopped-by-backup");
    expect(script).toContain('fail "Synapse did not start again after the database dump');
  });

  it("holds provision's own lock for the whole run, naming itself; gives up while provision holds it", () => {
    expect(script).toContain('lockf -s -k -t 0 "$PROVISION_LOCK" "$0" "$@"');
    expect(script).toContain("PROVISION_LOCK=/var/run/provision.lock");
    expect(script).toContain(
      'printf \'scheduled backup (%s), process %s on the host\\n\' "$0" "$$" > "$PROVISION_LOCK"',
    );
    // init-repository runs inside apply (which holds the lock): before the lock is taken.
    expect(script.indexOf("init-repository")).toBeLessThan(script.indexOf("lockf -s -k"));
  });

  it("cron.d's entry names the script and root only (user column, sh, FreeBSD's PATH)", () => {
    const cron = fileOf(files, SCHEDULED.cron);
    expect(cron).toContain("SHELL=/bin/sh\n");
    expect(cron).toContain(
      `15 4 * * *\troot\t${SCHEDULED.script} >${SCHEDULED.log} 2>&1 || cat ${SCHEDULED.log}\n`,
    );
    expect(cron).not.toContain(PASSWORD);
  });

  it("the password and key go into root-only files, marked sensitive; known_hosts as given", () => {
    expect(files.get("/usr/local/etc/provision/restic/password")).toMatchObject({
      content: `${PASSWORD}\n`,
      mode: "0600",
      owner: "root",
    });
    expect(files.get("/usr/local/etc/provision/restic/ssh_key")).toMatchObject({
      content: `${SSH_KEY}\n`,
      mode: "0600",
    });
    expect(fileOf(files, "/usr/local/etc/provision/restic/known_hosts")).toBe(
      "[192.0.2.20]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq\n",
    );
  });

  it("a local repository needs no SSH files; without offsite there is no restic at all", () => {
    const local = renderMap(
      host(`      backup:
        scheduled: { enabled: true }
        offsite: { repository: /mnt/usb/restic, password: { secret: restic_password } }
`),
      secrets,
    );
    expect(local.has("/usr/local/etc/provision/restic/ssh_key")).toBe(false);
    expect(fileOf(local, SCHEDULED.script)).not.toContain("sftp.command");
    // A repository on a disk that is not mounted would be created on the root disk: refused.
    const init = fileOf(local, SCHEDULED.script);
    const refuse =
      '[ -d /mnt/usb ] || fail "/mnt/usb, where the repository /mnt/usb/restic would be created, does not exist (a disk not mounted?): not creating it"';
    expect(init).toContain(refuse);
    expect(init.indexOf(refuse)).toBeLessThan(init.indexOf("restic init"));
    expect(fileOf(files, SCHEDULED.script)).not.toContain("would be created");
    const plain = renderMap(host("      backup: { scheduled: { enabled: true } }\n"), secrets);
    expect(fileOf(plain, SCHEDULED.script)).not.toContain("restic");
    expect(spawnSync("sh", ["-n"], { input: fileOf(plain, SCHEDULED.script) }).status).toBe(0);
    expect(plain.has("/usr/local/etc/provision/restic/password")).toBe(false);
  });
});

describe("the scheduled backup in the plan", () => {
  it("is planned like every other resource: package, directories, files, the repository opened", () => {
    const h = host(SFTP);
    const { parts, request } = prepare(h, secrets);
    const plan = buildPlan(h, parts, freshFacts(request));
    const ours = plan.changes.filter((c) => c.recipe === "backup").map((c) => c.address);
    expect(ours).toEqual([
      "pkg restic",
      "directory /var/backups/matrix",
      "directory /usr/local/etc/provision/restic",
      "file /usr/local/etc/provision/restic/password",
      "file /usr/local/etc/provision/restic/ssh_key",
      "file /usr/local/etc/provision/restic/known_hosts",
      `file ${SCHEDULED.script}`,
      "command open the restic repository",
      `file ${SCHEDULED.cron}`,
    ]);
    const pw = plan.changes.find((c) => c.address.endsWith("restic/password"));
    expect(pw?.sensitive).toBe(true);
  });

  it("turned off, removes the cron entry, script and restic files, never the backup directory", () => {
    const h = host("      backup: { scheduled: { enabled: false } }\n");
    const { parts, request } = prepare(h, secrets);
    const facts = freshFacts(request);
    const file = { type: "file" as const, mode: "0600", owner: "root", group: "wheel" };
    for (const p of [
      SCHEDULED.cron,
      SCHEDULED.script,
      "/usr/local/etc/provision/restic/password",
      "/usr/local/etc/provision/restic/ssh_key",
      "/usr/local/etc/provision/restic/known_hosts",
    ])
      facts.files.set(p, file);
    const plan = buildPlan(h, parts, facts);
    const deletes = plan.changes.filter((c) => c.action === "delete").map((c) => c.address);
    // The cron entry first (nothing runs the script while it goes), in reverse recipe order.
    expect(deletes).toEqual([
      `file ${SCHEDULED.cron}`,
      `file ${SCHEDULED.script}`,
      "file /usr/local/etc/provision/restic/known_hosts",
      "file /usr/local/etc/provision/restic/ssh_key",
      "file /usr/local/etc/provision/restic/password",
    ]);
    expect(plan.changes.map((c) => c.address).join("\n")).not.toContain("/var/backups/matrix");
  });

  it("refuses to change the mode of an existing directory it did not create; its own it fixes", () => {
    const h = host("      backup: { scheduled: { enabled: true, dir: /srv/shared } }\n");
    const { parts, request } = prepare(h, secrets);
    const facts = freshFacts(request);
    facts.files.set("/srv/shared", {
      type: "directory",
      mode: "0755",
      owner: "root",
      group: "wheel",
    });
    const errors = buildPlan(h, parts, facts).diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.summary)).toEqual([
      "matrix: directory /srv/shared: /srv/shared already exists (root:wheel 0755) and provision did not create it; it will not change its mode to 0700",
    ]);
    facts.createdDirs.add("/srv/shared");
    expect(buildPlan(h, parts, facts).diagnostics.filter((d) => d.severity === "error")).toEqual(
      [],
    );
  });
});
