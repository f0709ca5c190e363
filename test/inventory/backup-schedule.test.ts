// backup.scheduled and backup.offsite: what the inventory refuses before any host is touched.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../src/inventory/load.js";

const dir = mkdtempSync(join(tmpdir(), "provision-backup-schedule-"));
let n = 0;
function errors(backup: string): string[] {
  const file = join(dir, `inv-${n++}.yaml`);
  writeFileSync(
    file,
    `all:
  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1] }
  hosts:
    m:
      server_name: m.example.org
      public_ipv4: 192.0.2.10
      backup:
${backup}`,
  );
  return loadInventory(file)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.range?.start.line}: ${d.summary}`);
}

const KEY = "{ secret: restic_ssh_key }";
const HOSTS = '["backup.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq"]';

describe("backup.scheduled and backup.offsite", () => {
  it("accepts sftp with key and host keys, rest-server, and a local path", () => {
    expect(
      errors(`        scheduled: { enabled: true }
        offsite: { repository: "sftp:restic@backup.example.org:/srv/r", password: { secret: p }, ssh_key: ${KEY}, known_hosts: ${HOSTS} }
`),
    ).toEqual([]);
    expect(
      errors(`        scheduled: { enabled: true }
        offsite: { repository: "rest:https://backup.example.org:8000/m", password: { secret: p } }
`),
    ).toEqual([]);
    expect(
      errors(`        scheduled: { enabled: true }
        offsite: { repository: /mnt/usb/restic, password: { secret: p } }
`),
    ).toEqual([]);
  });

  it("refuses credentials in the URL, a missing password, sftp without key or host keys", () => {
    expect(
      errors(`        scheduled: { enabled: true }
        offsite: { repository: "rest:https://u:pw@backup.example.org/m", password: { secret: p } }
`),
    ).toEqual([expect.stringContaining("must be sftp:USER@HOST:/PATH, rest:https://")]);
    expect(
      errors(`        scheduled: { enabled: true }
        offsite: { repository: "sftp:restic@backup.example.org:/srv/r" }
`),
    ).toEqual([
      expect.stringContaining("needs 'password'"),
      expect.stringContaining("needs 'backup.offsite.known_hosts'"),
      expect.stringContaining("needs 'backup.offsite.ssh_key'"),
    ]);
    expect(
      errors(`        scheduled: { enabled: true }
        offsite: { repository: "sftp:restic@backup.example.org:/srv/r", password: { secret: p }, ssh_key: ${KEY}, known_hosts: ["backup.example.org"] }
`),
    ).toEqual([expect.stringContaining("is not a known_hosts line")]);
  });

  it("an offsite copy needs the schedule; a local one may not share its disk directory", () => {
    expect(
      errors(`        offsite: { repository: /mnt/usb/restic, password: { secret: p } }
`),
    ).toEqual([expect.stringContaining("'backup.scheduled.enabled' is not true")]);
    expect(
      errors(`        scheduled: { enabled: true }
        offsite: { repository: /var/backups/matrix/restic, password: { secret: p } }
`),
    ).toEqual([expect.stringContaining("a copy on the same disk is no copy")]);
  });

  it("refuses a system directory, backup.dir's tree and a bad schedule, at their lines", () => {
    expect(errors("        scheduled: { enabled: true, dir: /etc }\n")).toEqual([
      expect.stringMatching(/^8: 'backup.scheduled.dir' "\/etc" is a system directory/),
    ]);
    expect(
      errors(
        "        dir: /srv/pgdump\n        scheduled: { enabled: true, dir: /srv/pgdump/full }\n",
      ),
    ).toEqual([expect.stringContaining("overlaps backup.dir")]);
    expect(errors('        scheduled: { enabled: true, schedule: "30 2 * *" }\n')).toEqual([
      expect.stringContaining("a cron schedule has 5 fields"),
    ]);
  });

  it("refuses a schedule that runs more than once an hour: retention would keep only the last hour", () => {
    for (const busy of ["* 2 * * *", "*/15 3 * * *", "0,30 2 * * *", "0-5 1 * * 0"])
      expect(errors(`        scheduled: { enabled: true, schedule: "${busy}" }\n`)).toEqual([
        expect.stringMatching(
          /^8: 'backup.scheduled.schedule' "[^"]+" runs more than once an hour \(\d+ minutes of each hour it names\)/,
        ),
      ]);
    expect(errors('        scheduled: { enabled: true, schedule: "15 */6 * * *" }\n')).toEqual([]);
  });

  it("refuses a directory inside a service user's or provision's own tree", () => {
    for (const [dir, tree] of [
      ["/var/db/postgres/scheduled", "/var/db/postgres"],
      ["/var/db/matrix-synapse/backups", "/var/db/matrix-synapse"],
      ["/home/x/backups", "/home"],
      ["/usr/home/x", "/usr/home"],
      ["/usr/local/etc/provision/backups", "/usr/local/etc/provision"],
      ["/usr/local/etc/cron.d/b", "/usr/local/etc/cron.d"],
      ["/usr/local/www/backups", "/usr/local/www"],
      ["/var/tmp/backups", "/var/tmp"],
    ])
      expect(errors(`        scheduled: { enabled: true, dir: ${dir} }\n`)).toEqual([
        expect.stringMatching(
          new RegExp(`^8: 'backup.scheduled.dir' "${dir}" is inside ${tree}, `),
        ),
      ]);
    expect(errors("        scheduled: { enabled: true, dir: /var/backups/matrix }\n")).toEqual([]);
    expect(errors("        scheduled: { enabled: true, dir: /backup/matrix }\n")).toEqual([]);
  });
});
