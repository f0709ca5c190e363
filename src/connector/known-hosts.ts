// known_hosts(5) lookups: plain and hashed (|1|salt|hash) host patterns, [host]:port for
// non-standard ports, negation and wildcards; @revoked marks a key as refused.
import { createHmac } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

export interface HostKey {
  type: string;
  /** base64 of the key blob, as in known_hosts. */
  blob: string;
}

export type KnownHostsVerdict =
  | { status: "match" }
  | { status: "unknown" }
  | { status: "changed"; expected: HostKey[] }
  | { status: "revoked" };

/** The name ssh looks up: host for port 22, [host]:port otherwise. */
export function lookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return re.test(name);
}

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt = "", hash = ""] = field.split("|");
    const h = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return h === hash;
  }
  let matched = false;
  for (const p of field.split(",")) {
    if (p.startsWith("!")) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      matched = true;
    }
  }
  return matched;
}

export function checkKnownHosts(
  file: string,
  host: string,
  port: number,
  key: HostKey,
): KnownHostsVerdict {
  if (!existsSync(file)) return { status: "unknown" };
  const name = lookupName(host, port);
  const expected: HostKey[] = [];
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const parts = line.split(/\s+/);
    let marker: string | undefined;
    if (parts[0]?.startsWith("@")) marker = parts.shift();
    const [hosts = "", type = "", blob = ""] = parts;
    if (marker === "@cert-authority" || !hostMatches(hosts, name)) continue;
    if (marker === "@revoked") {
      if (blob === key.blob) return { status: "revoked" };
      continue;
    }
    if (type === key.type && blob === key.blob) return { status: "match" };
    expected.push({ type, blob });
  }
  return expected.length > 0 ? { status: "changed", expected } : { status: "unknown" };
}

export function addKnownHost(file: string, host: string, port: number, key: HostKey): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${lookupName(host, port)} ${key.type} ${key.blob}\n`, { mode: 0o600 });
}
