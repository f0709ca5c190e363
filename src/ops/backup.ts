// provision backup: Synapse's database (pg_dump -Fc, with Synapse stopped so the row counts and
// the dump are the same state), PostgreSQL's roles, the media store, the signing key and the
// rendered configuration, streamed over the SSH connection into a local directory of 0600 files
// with a MANIFEST.json of sizes, sha256s, row counts and the signing key id.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { q } from "../connector/quote.js";

import { UserError } from "../errors.js";
import { PATHS } from "../freebsd/paths.js";
import type { Host } from "../inventory/types.js";
import { REQUIRED_SECRETS } from "../secrets/catalog.js";
import type { BackupEvent, DataConnector } from "./events.js";
import {
  BACKUP_FILES,
  MANIFEST,
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestFile,
} from "./manifest.js";
import { receive, tail } from "./receive.js";
import {
  asPostgres,
  asSynapse,
  configPaths,
  countRowsScript,
  ensureStateDir,
  LOCK_WAIT_MS,
  OPS_STATE_DIR,
  parseCounts,
  pg,
  SYNAPSE_DB,
  signingKeyIdScript,
} from "./shell.js";
import { TarDigest } from "./tar-digest.js";

/**
 * Synapse's backup documentation: "the e2e_one_time_keys_json table should not be backed up, or
 * if it is backed up, should be truncated after restoring the database before Synapse is
 * started" (a restored one-time key can be handed out twice and break decryption). Its schema
 * is dumped, its rows are not.
 */
export const EXCLUDED_TABLE_DATA = ["e2e_one_time_keys_json"];

export function signingKeyPath(host: Host): string {
  return `${PATHS.synapseConfDir}/${host.config.server_name}.signing.key`;
}

/** A directory only its owner may enter, whatever the umask. */
export function privateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

const COUNTS = `${OPS_STATE_DIR}/backup-counts`;

/** pg_dump of Synapse's database in custom format, without the rows Synapse advises to leave out. */
export function pgDumpCommand(): string {
  const exclude = EXCLUDED_TABLE_DATA.map((t) => `--exclude-table-data=${t}`).join(" ");
  return asPostgres(
    `${pg("pg_dump")} -Fc --lock-wait-timeout=${LOCK_WAIT_MS} ${exclude} ${SYNAPSE_DB}`,
  );
}

/** PostgreSQL's roles (attributes and passwords), as restore replays them. */
export const rolesDumpCommand = asPostgres(`${pg("pg_dumpall")} --roles-only`);

/** Prints the server's version number (e.g. 170004), or fails. */
export const serverVersionCommand = asPostgres(
  `${pg("psql")} -XtA -d ${SYNAPSE_DB} -c 'show server_version_num'`,
);

/** Stops Synapse (if it runs), counts every table's rows, dumps; Synapse starts again on any exit. */
function dumpScript(): string {
  return [
    "set -eu",
    ensureStateDir,
    "was=no",
    "if service synapse onestatus >/dev/null 2>&1; then was=yes; service synapse onestop >&2; fi",
    "trap 'if [ \"$was\" = yes ]; then service synapse onestart >&2 || true; fi' EXIT",
    "trap 'exit 1' HUP INT TERM PIPE",
    countRowsScript(COUNTS),
    pgDumpCommand(),
  ].join("\n");
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
}

export async function backup(
  conn: DataConnector,
  host: Host,
  toDir: string,
  emit: (e: BackupEvent) => void,
): Promise<BackupResult> {
  const started = Date.now();
  const keyPath = signingKeyPath(host);
  const probe = await conn.exec(
    [
      `${serverVersionCommand} 2>/dev/null || echo none`,
      signingKeyIdScript(keyPath),
      `if [ -d ${PATHS.synapseMediaStore} ]; then echo media; fi`,
      "service synapse onestatus >/dev/null 2>&1 && echo running || echo stopped",
    ].join("\n"),
  );
  const [version = "none", keyId = "", mediaDir = "", running = ""] = probe.stdout
    .trim()
    .split("\n");
  if (!/^\d+$/.test(version))
    throw new UserError(`host ${host.name}: Synapse's database '${SYNAPSE_DB}' does not answer`, {
      hint: "Run `provision apply` first, or check `service postgresql status` on the host.",
    });
  if (!/^ed25519:\S+$/.test(keyId))
    throw new UserError(`host ${host.name}: no signing key at ${keyPath}`, {
      hint: "Run `provision apply` first.",
    });
  if (mediaDir !== "media")
    throw new UserError(`host ${host.name}: no media store at ${PATHS.synapseMediaStore}`);

  privateDir(toDir);
  const name = `${host.name}-${stamp(new Date(started))}`;
  const final = join(toDir, name);
  // Written under .partial until the manifest is in place: restore never sees half a backup.
  const work = `${final}.partial`;
  mkdirSync(work, { mode: 0o700 });
  chmodSync(work, 0o700);
  emit({
    type: "backup_start",
    host: host.name,
    dir: final,
    synapseStopped: running === "running",
  });

  const files: ManifestFile[] = [];
  const take = async (file: string, script: string, what: string, also?: TarDigest) => {
    const t = Date.now();
    const r = await receive(conn, script, join(work, file), what, also);
    files.push({ name: file, ...r });
    emit({
      type: "backup_file",
      host: host.name,
      name: file,
      size: r.size,
      seconds: (Date.now() - t) / 1000,
    });
  };

  await take(BACKUP_FILES.database, dumpScript(), "the database dump");
  const counted = await conn.exec(`cat ${COUNTS} && rm -f ${COUNTS}`);
  if (counted.code !== 0)
    throw new UserError(
      `host ${host.name}: reading the row counts failed: ${tail(counted.stderr)}`,
    );
  const tables = parseCounts(counted.stdout);
  for (const t of EXCLUDED_TABLE_DATA) if (t in tables) tables[t] = 0;
  await take(BACKUP_FILES.roles, rolesDumpCommand, "the roles dump");
  const mediaDigest = new TarDigest();
  await take(
    BACKUP_FILES.media,
    asSynapse(`tar -cf - -C ${PATHS.synapseDataDir} media_store`),
    "the media archive",
    mediaDigest,
  );
  if (!mediaDigest.complete)
    throw new UserError(`host ${host.name}: the media archive ended early`);
  const candidates = configPaths(keyPath);
  const present = await conn.exec(
    candidates.map((p) => `if [ -e /${q(p)} ]; then echo ${q(p)}; fi`).join("\n"),
  );
  const configFiles = present.stdout.trim().split("\n").filter(Boolean);
  await take(
    BACKUP_FILES.config,
    `tar -cf - -C / ${configFiles.map(q).join(" ")}`,
    "the configuration archive",
  );

  const media: Record<string, string> = {};
  for (const [p, sum] of [...mediaDigest.files].sort()) media[p] = sum;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    host: host.name,
    server_name: host.config.server_name,
    created: new Date(started).toISOString(),
    postgresql_major: Math.floor(Number(version) / 10000),
    database: SYNAPSE_DB,
    excluded_table_data: EXCLUDED_TABLE_DATA,
    tables,
    signing_key_id: keyId,
    config_files: configFiles.map((p) => `/${p}`),
    media,
    secrets_in_store: REQUIRED_SECRETS.map((s) => s.name),
    files,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
    flag: "wx",
  });
  renameSync(work, final);
  emit({
    type: "backup_complete",
    host: host.name,
    dir: final,
    tables: Object.keys(tables).length,
    rows: Object.values(tables).reduce((a, b) => a + b, 0),
    mediaFiles: Object.keys(media).length,
    signingKeyId: keyId,
    excludedTableData: EXCLUDED_TABLE_DATA,
    secretsInStore: manifest.secrets_in_store,
    seconds: manifest.seconds,
  });
  return { dir: final, manifest };
}
