// pkg audit of the test host, after freebsd/pkg src/audit.c (exec_audit): the VuXML database is
// /var/db/pkg/vuln.xml; a missing one is named with what to run, exit EX_DATAERR (65).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
const pkg = (...args: string[]) =>
  host.run("/usr/sbin/pkg", args, { env: { ASSUME_ALWAYS_YES: "yes" } });

beforeEach(() => {
  host = makeRoot();
  expect(pkg("bootstrap").code).toBe(0);
});
afterEach(() => host.cleanup());

describe("pkg audit", () => {
  it("without a vulnerability database says to fetch one and exits 65, never 'no problems'", () => {
    expect(pkg("audit", "-q")).toMatchObject({
      code: 65,
      stdout: "",
      stderr:
        "pkg: vulnxml file /var/db/pkg/vuln.xml does not exist. Try running 'pkg audit -F' first\n",
    });
  });

  it("cannot fetch one (no network) and refuses to judge one it cannot match", () => {
    expect(pkg("audit", "-F").code).toBe(74);
    host.write("/var/db/pkg/vuln.xml", "<vuxml/>");
    expect(pkg("audit", "-q").code).toBe(70);
  });
});
