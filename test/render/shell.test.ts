// Shell scripts we install: parsed by sh -n and checked by shellcheck as POSIX sh.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasCommand } from "../helpers/procs.js";
import { EVERYTHING_ON, fileOf, hostsFrom, renderMap } from "../helpers/render.js";

const SCRIPTS = [
  "/etc/rc.firewall.matrix",
  "/usr/local/etc/rc.d/synapse",
  "/usr/local/etc/dehydrated/hook.sh",
];
// rc.subr idioms shellcheck cannot follow: /etc/rc.subr is sourced at run time (SC1091), and
// variables such as name, rcvar, command_args are assigned for run_rc_command to read (SC2034).
const RC_SUBR_IDIOMS = "SC1091,SC2034";
const hasShellcheck = hasCommand("shellcheck");
if (!hasShellcheck)
  console.warn("skipping shellcheck: not installed (npm test installs it on Debian as root)");

describe("installed shell scripts", () => {
  const dir = mkdtempSync(join(tmpdir(), "provision-sh-"));
  for (const [label, text] of [
    [
      "example inventory",
      `all:\n  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1] }\n  hosts:\n    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }\n`,
    ],
    ["every option on", EVERYTHING_ON],
  ] as const) {
    const [host] = hostsFrom(text);
    if (!host) throw new Error("no host");
    const files = renderMap(host);
    for (const path of SCRIPTS) {
      const local = join(dir, `${label.replace(/ /g, "-")}-${path.replace(/\//g, "_")}`);
      writeFileSync(local, fileOf(files, path));
      it(`${path} (${label}) parses with sh -n`, () => {
        const r = spawnSync("sh", ["-n", local], { encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
      });
      it.skipIf(!hasShellcheck)(`${path} (${label}) is shellcheck-clean`, () => {
        const r = spawnSync("shellcheck", ["-s", "sh", "-e", RC_SUBR_IDIOMS, local], {
          encoding: "utf8",
        });
        expect(r.stdout).toBe("");
        expect(r.status).toBe(0);
      });
    }
  }
});
