// mailwrapper(8) and dma(8) of the test host against a temporary root, with both revisions of
// dma's mailer.conf. References: src:usr.sbin/mailwrapper/mailwrapper.c@dc20780066e9 ("no
// mapping in", EX_CONFIG 78), src:libexec/dma/dmagent/mailer.conf@f7a489d8763d (no newaliases)
// and @023fc80ee38a (maps newaliases), src:libexec/dma/dma.c (newaliases parses the aliases).
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TESTHOST_DIR } from "../../testhost/src/paths.js";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
const variant = (name: string) =>
  host.write(
    "/etc/mail/mailer.conf",
    readFileSync(join(TESTHOST_DIR, "harness/mailer.conf", name), "utf8"),
  );
const newaliases = () => host.sh('python3 "$TESTHOST_ROOT/usr/bin/newaliases"');

beforeEach(() => {
  host = makeRoot();
  symlinkSync(join(TESTHOST_DIR, "overlay/usr/sbin/mailwrapper"), host.file("/usr/bin/newaliases"));
  host.write("/etc/aliases", "# aliases\nroot: admin\npostmaster: root\n");
});
afterEach(() => host.cleanup());

describe("newaliases through mailwrapper", () => {
  it("has no mapping in dma's older mailer.conf: exit 78", () => {
    variant("dma-without-newaliases");
    expect(newaliases()).toEqual({
      code: 78,
      stdout: "",
      stderr: "mailwrapper: no mapping in /etc/mail/mailer.conf\n",
    });
  });
  it("runs dma with the newer one, which parses /etc/aliases", () => {
    variant("dma-with-newaliases");
    expect(newaliases()).toEqual({ code: 0, stdout: "", stderr: "" });
    host.write("/etc/aliases", "root admin\n");
    expect(newaliases()).toEqual({
      code: 70,
      stdout: "",
      stderr: "dma: could not parse aliases file `/etc/aliases'\n",
    });
  });
  it("prefers /usr/local/etc/mail/mailer.conf when it exists", () => {
    variant("dma-with-newaliases");
    host.write("/usr/local/etc/mail/mailer.conf", "sendmail /usr/libexec/dma\n");
    expect(newaliases().stderr).toBe(
      "mailwrapper: no mapping in /usr/local/etc/mail/mailer.conf\n",
    );
  });
});
