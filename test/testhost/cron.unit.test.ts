// cron(8) of the test host against a temporary root. References: src:usr.sbin/cron/cron/
// pathnames.h@6a86fec72da6 (SYSCRONTAB /etc/crontab, SYSCRONTABS /etc/cron.d, LOCALSYSCRONTABS
// /usr/local/etc/cron.d), FreeBSD cron(8) since 12.0 (system-crontab format with the user column,
// no ownership check), crontab(5) (fields, ranges, steps, names, day-of-month OR day-of-week).
// Debian's cron reads /etc/cron.d only: the test host runs this emulation instead.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../../testhost/src/paths.js";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
/** Runs cron once for the minute `at` ("YYYY-MM-DD HH:MM"). */
const tick = (at: string) => host.run("/usr/sbin/cron", [], { env: { TESTHOST_CRON_ONCE: at } });
const ran = () => host.sh('cat "$TESTHOST_ROOT/ran" 2>/dev/null').stdout;

beforeEach(() => {
  host = makeRoot();
});
afterEach(() => host.cleanup());

describe("cron(8)", () => {
  it("runs a job line of /usr/local/etc/cron.d (LOCALSYSCRONTABS) as the user in its user column", () => {
    host.write(
      "/usr/local/etc/cron.d/renew",
      'SHELL=/bin/sh\nMAILTO=""\n*/1 * * * *\troot\techo "$LOGNAME $SHELL" >> "$TESTHOST_ROOT/ran"\n',
    );
    expect(tick("2026-11-28 03:17")).toMatchObject({ code: 0 });
    expect(ran()).toBe("root /bin/sh\n");
    expect(host.read("/var/log/cron")).toMatch(/\(root\) CMD \(echo "\$LOGNAME \$SHELL"/);
  });

  it("reads /etc/crontab and /etc/cron.d too, but skips dot files", () => {
    host.write(
      "/etc/crontab",
      'MAILTO=""\n0 4 * * *\troot\techo crontab >> "$TESTHOST_ROOT/ran"\n',
    );
    host.write(
      "/etc/cron.d/a",
      'MAILTO=""\n0 4 * * *\troot\techo cron.d >> "$TESTHOST_ROOT/ran"\n',
    );
    host.write(
      "/usr/local/etc/cron.d/.hidden",
      '0 4 * * * root echo hidden >> "$TESTHOST_ROOT/ran"\n',
    );
    tick("2026-11-28 04:00");
    expect(ran()).toBe("crontab\ncron.d\n");
    tick("2026-11-28 04:01");
    expect(ran()).toBe("crontab\ncron.d\n");
  });

  it("follows crontab(5): ranges, steps, names, and day-of-month OR day-of-week", () => {
    host.write(
      "/etc/cron.d/s",
      [
        'MAILTO=""',
        '15 2-4/2 * * *\troot\techo a >> "$TESTHOST_ROOT/ran"',
        '0 0 1 jan *\troot\techo b >> "$TESTHOST_ROOT/ran"',
        '0 0 13 * fri\troot\techo c >> "$TESTHOST_ROOT/ran"',
        '0 0 * * 7\troot\techo d >> "$TESTHOST_ROOT/ran"',
        "61 * * * *\troot\techo invalid",
        "",
      ].join("\n"),
    );
    tick("2026-11-28 04:15"); // Saturday: a
    tick("2026-11-28 03:15"); // nothing
    tick("2027-01-01 00:00"); // Friday the 1st of January: b and c (mday OR wday)
    tick("2026-11-29 00:00"); // Sunday written as 7: d
    expect(ran()).toBe("a\nb\nc\nd\n");
  });

  it("runs the renewal line of the product's certificates/cron template", () => {
    const template = readFileSync(join(PROJECT_DIR, "templates/certificates/cron"), "utf8");
    const text = template
      .replace("{{certificates.renew_days}}", "30")
      .replace("{{certificates.renew_schedule}}", "17 3 * * *")
      .replace(/dehydrated --cron .*$/m, 'echo renewed >> "$TESTHOST_ROOT/ran"');
    expect(text).not.toContain("{{");
    host.write("/usr/local/etc/cron.d/dehydrated", text);
    tick("2026-11-28 03:17");
    expect(ran()).toBe("renewed\n");
  });
});
