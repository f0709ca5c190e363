// known_hosts(5) as OpenSSH reads it: plain and hashed (|1|salt|hash) host patterns,
// [host]:port for non-standard ports, negation and wildcards. A @revoked line refuses its key
// wherever it appears in the file; a line with any other unknown marker is invalid and ignored
// (sshd's hostfile.c); @cert-authority lines are not used (no certificates here).
import { createHash, createHmac } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
} from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../errors.js";
import { readBoundedFile } from "../util/files.js";

export interface HostKey {
  type: string;
  /** base64 of the key blob, as in known_hosts. */
  blob: string;
}

export type KnownHostsVerdict =
  | { status: "match" }
  /** No key of the offered type is known; `otherTypes` are types known for the host. */
  | { status: "unknown"; otherTypes: string[] }
  | { status: "changed"; expected: HostKey[] }
  | { status: "revoked" };

interface Entry {
  marker?: "@revoked" | "@cert-authority";
  hosts: string;
  type: string;
  blob: string;
}

const MAX_KNOWN_HOSTS_BYTES = 16 * 1024 * 1024;

/** The name ssh looks up: host for port 22, [host]:port otherwise. */
export function lookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** ssh's fingerprint of a key: SHA256: and the unpadded base64 of the blob's SHA-256. */
export function fingerprint(key: HostKey): string {
  const digest = createHash("sha256").update(Buffer.from(key.blob, "base64")).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
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

function readEntries(file: string): Entry[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readBoundedFile(file, MAX_KNOWN_HOSTS_BYTES).toString("utf8");
  } catch (err) {
    throw new UserError(`cannot read known_hosts ${file}: ${(err as Error).message}`, {
      hint: "Point ssh.known_hosts (or UserKnownHostsFile in ~/.ssh/config) at a known_hosts file.",
    });
  }
  const out: Entry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const parts = line.split(/\s+/);
    let marker: Entry["marker"];
    if (parts[0]?.startsWith("@")) {
      const m = parts.shift();
      if (m !== "@revoked" && m !== "@cert-authority") continue;
      marker = m;
    }
    const [hosts = "", type = "", blob = ""] = parts;
    if (!hosts || !type || !blob) continue;
    out.push({ ...(marker ? { marker } : {}), hosts, type, blob });
  }
  return out;
}

export function checkKnownHosts(
  file: string,
  host: string,
  port: number,
  key: HostKey,
): KnownHostsVerdict {
  const name = lookupName(host, port);
  const entries = readEntries(file).filter((e) => hostMatches(e.hosts, name));
  if (entries.some((e) => e.marker === "@revoked" && e.blob === key.blob)) {
    return { status: "revoked" };
  }
  const plain = entries.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.type === key.type && e.blob === key.blob)) return { status: "match" };
  const sameType = plain.filter((e) => e.type === key.type);
  if (sameType.length > 0) {
    return { status: "changed", expected: sameType.map((e) => ({ type: e.type, blob: e.blob })) };
  }
  return { status: "unknown", otherTypes: [...new Set(plain.map((e) => e.type))] };
}

/** ssh2's host key algorithms, in its default order. */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/**
 * Host key algorithms to offer, those of the key types known_hosts holds for the host first (as
 * OpenSSH orders them), so a host with an RSA key on record is asked for that key, not another.
 */
export function hostKeyAlgorithms(file: string, host: string, port: number): string[] {
  const name = lookupName(host, port);
  const known = readEntries(file)
    .filter((e) => e.marker === undefined && hostMatches(e.hosts, name))
    .flatMap((e) => (e.type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [e.type]))
    .filter((a) => DEFAULT_HOST_KEY_ALGORITHMS.includes(a));
  const first = [...new Set(known)];
  return [...first, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

/** Whether the file's last byte is a newline (an empty or missing file counts as one). */
function endsWithNewline(file: string): boolean {
  if (!existsSync(file)) return true;
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

export function addKnownHost(file: string, host: string, port: number, key: HostKey): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const sep = endsWithNewline(file) ? "" : "\n";
  appendFileSync(file, `${sep}${lookupName(host, port)} ${key.type} ${key.blob}\n`, {
    mode: 0o600,
  });
}
