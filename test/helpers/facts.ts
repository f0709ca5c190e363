import type { Facts } from "../../src/facts/types.js";

/** Facts of an empty, bootstrapped FreeBSD host; tests override what they need. */
export function facts(over: Partial<Facts> = {}): Facts {
  return {
    os: { system: "FreeBSD", version: "14.3-RELEASE-p2", sshClient: "198.51.100.7" },
    pkgReady: true,
    packages: new Map(),
    rc: new Map(),
    services: new Map(),
    files: new Map(),
    users: new Map(),
    groups: new Map(),
    venvs: new Map(),
    postgres: null,
    certs: new Map(),
    guards: new Map(),
    ...over,
  };
}
