import { isIPv4, isIPv6 } from "node:net";

export { isIPv4, isIPv6 };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A lower-case DNS name with at least `minLabels` labels (no trailing dot, no port). */
export function isDnsName(s: string, minLabels = 1): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.split(".");
  return (
    labels.length >= minLabels &&
    labels.every((l) => LABEL.test(l)) &&
    !/^[0-9]+$/.test(labels[labels.length - 1] ?? "")
  );
}

export function isEmail(s: string): boolean {
  const at = s.lastIndexOf("@");
  if (at < 1) return false;
  const local = s.slice(0, at);
  return (
    /^[A-Za-z0-9._%+-]+$/.test(local) &&
    !local.startsWith(".") &&
    !local.endsWith(".") &&
    isDnsName(s.slice(at + 1).toLowerCase(), 2)
  );
}

function v4ToBig(a: string): bigint {
  return a.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function v6ToBig(a: string): bigint {
  let addr = a;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4?.[1]) {
    const n = v4ToBig(v4[1]);
    addr = `${addr.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = addr.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const fill = tail !== undefined ? new Array(8 - h.length - t.length).fill("0") : [];
  return [...h, ...fill, ...t].reduce(
    (acc, x) => (acc << 16n) | BigInt(Number.parseInt(x, 16)),
    0n,
  );
}

export interface Cidr {
  family: 4 | 6;
  address: string;
  prefix: number;
  /** The network written without host bits, e.g. 10.0.0.0/24 for 10.0.0.5/24. */
  network: string;
  hostBitsSet: boolean;
}

function bigToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join(".");
}

function bigToV6(n: bigint): string {
  const parts: string[] = [];
  for (let i = 7; i >= 0; i--) parts.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  const s = parts.join(":");
  // Compress the longest run of zero groups, as RFC 5952 writes it.
  const runs = [...s.matchAll(/(?:^|:)0(?::0)+(?::|$)/g)];
  const longest = runs.sort((a, b) => b[0].length - a[0].length)[0];
  if (!longest) return s;
  return `${s.slice(0, longest.index)}::${s.slice((longest.index ?? 0) + longest[0].length)}`
    .replace(/^:(?!:)/, "")
    .replace(/:::/, "::");
}

/** Parses "1.2.3.0/24", "2001:db8::/32" or a bare address (meaning /32 or /128). */
export function parseCidr(s: string): Cidr | undefined {
  const [address = "", prefixText, extra] = s.split("/");
  if (extra !== undefined) return undefined;
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (!family) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const value = family === 4 ? v4ToBig(address) : v6ToBig(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const net = value & ~hostMask;
  return {
    family,
    address,
    prefix,
    network: `${family === 4 ? bigToV4(net) : bigToV6(net)}/${prefix}`,
    hostBitsSet: (value & hostMask) !== 0n,
  };
}

/**
 * Whether the networks together cover every address of one family (0.0.0.0/1 plus
 * 128.0.0.0/1 is the whole IPv4 Internet as surely as 0.0.0.0/0): the union is measured.
 */
export function coversEverything(cidrs: readonly Cidr[], family: 4 | 6): boolean {
  const bits = family === 4 ? 32 : 128;
  const spans = cidrs
    .filter((c) => c.family === family)
    .map((c) => {
      const base = family === 4 ? v4ToBig(c.address) : v6ToBig(c.address);
      const size = 1n << BigInt(bits - c.prefix);
      const start = base & ~(size - 1n);
      return [start, start + size] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let reach = 0n;
  for (const [start, end] of spans) {
    if (start > reach) return false;
    if (end > reach) reach = end;
  }
  return reach === 1n << BigInt(bits);
}
