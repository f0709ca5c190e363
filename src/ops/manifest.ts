// A backup's MANIFEST.json: what each file holds, its size and sha256, the row count of every
// table as dumped, the media store's checksums and the signing key id. Restore reads it back and
// refuses a backup that does not match it before any host is contacted.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";

export const MANIFEST = "MANIFEST.json";
export const MANIFEST_FORMAT = 1;

/** The files of a backup, in the order they are written. */
export const BACKUP_FILES = {
  database: "synapse.dump",
  roles: "roles.sql",
  media: "media.tar",
  config: "config.tar",
} as const;

export interface ManifestFile {
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: number;
  host: string;
  server_name: string;
  created: string;
  postgresql_major: number;
  database: string;
  /** Tables whose rows are left out, as Synapse's backup documentation advises. */
  excluded_table_data: string[];
  /** Row count of every table in the dump (0 for those whose data is left out). */
  tables: Record<string, number>;
  signing_key_id: string;
  /** Paths of the configuration files in config.tar. */
  config_files: string[];
  /** Media store path -> sha256. */
  media: Record<string, string>;
  /** Secret names the host's files hold: their values stay in the secrets store. */
  secrets_in_store: string[];
  files: ManifestFile[];
  /** Seconds the backup took. */
  seconds: number;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (d) => h.update(d))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

function isRecordOf(v: unknown, kind: "string" | "number"): boolean {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === kind)
  );
}

/** What is wrong with a parsed manifest's shape, or undefined. */
function shapeProblem(m: Record<string, unknown>): string | undefined {
  if (m.format !== MANIFEST_FORMAT) return `format ${String(m.format)} is not ${MANIFEST_FORMAT}`;
  for (const k of ["host", "server_name", "created", "database", "signing_key_id"])
    if (typeof m[k] !== "string" || m[k] === "") return `${k} is missing`;
  if (typeof m.postgresql_major !== "number") return "postgresql_major is missing";
  if (!isRecordOf(m.tables, "number")) return "tables is not a map of row counts";
  if (!isRecordOf(m.media, "string")) return "media is not a map of checksums";
  const files = m.files;
  if (!Array.isArray(files)) return "files is missing";
  for (const f of files as Partial<ManifestFile>[])
    if (typeof f?.name !== "string" || typeof f.size !== "number" || typeof f.sha256 !== "string")
      return "a files entry lacks name, size or sha256";
  const names = new Set((files as ManifestFile[]).map((f) => f.name));
  for (const want of Object.values(BACKUP_FILES))
    if (!names.has(want)) return `files does not list ${want}`;
  for (const k of ["excluded_table_data", "config_files", "secrets_in_store"])
    if (!Array.isArray(m[k])) return `${k} is missing`;
  return undefined;
}

/**
 * Reads DIR/MANIFEST.json and checks every file it lists: present, of its size (a shorter file
 * is a truncated backup), of its sha256. Throws a UserError naming the first problem; touches
 * nothing anywhere.
 */
export async function verifyBackup(dir: string): Promise<Manifest> {
  const refuse = (why: string) =>
    new UserError(`backup ${dir} refused: ${why}`, {
      hint: "Nothing was touched. Use another backup, or take a new one with `provision backup`.",
    });
  const path = join(dir, MANIFEST);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw refuse("not a directory");
  if (!existsSync(path)) throw refuse(`${MANIFEST} is missing (an unfinished backup?)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw refuse(`${MANIFEST} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null) throw refuse(`${MANIFEST} is not an object`);
  const problem = shapeProblem(parsed as Record<string, unknown>);
  if (problem) throw refuse(`${MANIFEST}: ${problem}`);
  const m = parsed as Manifest;
  for (const f of m.files) {
    if (f.name.includes("/") || f.name.startsWith(".")) throw refuse(`bad file name ${f.name}`);
    const p = join(dir, f.name);
    if (!existsSync(p)) throw refuse(`${f.name} is missing`);
    const size = statSync(p).size;
    if (size !== f.size)
      throw refuse(
        `${f.name} has ${size} bytes, the manifest says ${f.size}${size < f.size ? " (truncated)" : ""}`,
      );
    const sum = await sha256File(p);
    if (sum !== f.sha256) throw refuse(`${f.name}: sha256 ${sum} differs from the manifest's`);
  }
  return m;
}

/** Differences between what a backup recorded and what a host has, one line each; empty when equal. */
function differences<T>(
  want: Record<string, T>,
  got: Record<string, T>,
  differ: (key: string, want: T, got: T) => string,
  missing: (key: string, want: T) => string,
): string[] {
  const out: string[] = [];
  for (const [k, w] of Object.entries(want)) {
    const g = got[k];
    if (g === undefined) out.push(missing(k, w));
    else if (g !== w) out.push(differ(k, w, g));
  }
  for (const k of Object.keys(got)) if (!(k in want)) out.push(`${k}: not in the backup`);
  return out;
}

/** Tables whose row count differs from the backup's. */
export function countDifferences(
  want: Record<string, number>,
  got: Record<string, number>,
): string[] {
  return differences(
    want,
    got,
    (t, w, g) => `${t}: ${g} rows, backup had ${w}`,
    (t, w) => `${t}: missing (backup had ${w} rows)`,
  );
}

/** Media files missing or changed. */
export function mediaDifferences(
  want: Record<string, string>,
  got: Record<string, string>,
): string[] {
  return differences(
    want,
    got,
    (p) => `${p}: checksum differs`,
    (p) => `${p}: missing`,
  );
}
