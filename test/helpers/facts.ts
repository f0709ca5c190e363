import { parseFacts } from "../../src/facts/gather.js";
import { emptyRequest, type Facts } from "../../src/facts/types.js";

/** Facts of an empty, bootstrapped FreeBSD host; tests override what they need. */
export function facts(over: Partial<Facts> = {}): Facts {
  return {
    // Every registered fact kind, as it reads a host that answered nothing.
    ...parseFacts("", emptyRequest()),
    os: { system: "FreeBSD", version: "14.3-RELEASE-p2", sshClient: "198.51.100.7" },
    pkgReady: true,
    ...over,
  };
}

/** Probe output from its lines written as fields (the tab-separated lines the host prints). */
export function probeOutput(lines: readonly (readonly (string | number)[])[]): string {
  return lines.map((fields) => fields.join("\t")).join("\n");
}
