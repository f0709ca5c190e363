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

/** Maps, Sets and Dates as plain JSON values, so parsed facts compare with fixture data. */
export function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (v instanceof Set) return [...v].map(plain);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, plain(x)]),
    );
  return v;
}

/** A fact request from fixture data, shaped like the kind's empty request (Set, Map or value). */
export function requestFrom(empty: unknown, data: unknown): unknown {
  if (data === undefined) return empty;
  if (empty instanceof Set) return new Set(data as unknown[]);
  if (empty instanceof Map) return new Map(Object.entries(data as object));
  return data;
}
