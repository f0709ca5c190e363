// provision restore: a verified backup onto a host that serves the same server_name. The host's
// current database, media store and configuration files are kept under "before-restore" names;
// the backup's files are staged in root's own directory, never in a path postgres or synapse
// controls; then Synapse restarts and the result is compared with the manifest.
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { q } from "../connector/quote.js";
import type { ExecResult } from "../connector/types.js";

import { UserError } from "../errors.js";
import { PATHS } from "../freebsd/paths.js";
import type { Host } from "../inventory/types.js";
import { signingKeyPath } from "./backup.js";
import type { DataConnector, RestoreEvent, RestorePlanItem } from "./events.js";
import { BACKUP_FILES, countDifferences, type Manifest, mediaDifferences } from "./manifest.js";
import { tail } from "./receive.js";
import {
  asPostgres,
  countRowsScript,
  ensureStateDir,
  OPS_STATE_DIR,
  parseCounts,
  pg,
  SYNAPSE_DB,
  signingKeyIdScript,
} from "./shell.js";
import { TarDigest } from "./tar-digest.js";

const SYNAPSE_URL = "http://127.0.0.1:8008";

/** The configuration files restore puts back, with the owner and mode their recipes give them. */
function restorableFiles(
  host: Host,
): { path: string; owner: string; group: string; mode: string }[] {
  return [
    { path: PATHS.synapseConf, owner: "root", group: "synapse", mode: "0640" },
    { path: PATHS.synapseLogConfig, owner: "root", group: "synapse", mode: "0640" },
    { path: signingKeyPath(host), owner: "synapse", group: "synapse", mode: "0600" },
    { path: PATHS.coturnConf, owner: "root", group: "coturn", mode: "0640" },
  ];
}

export interface RestoreTarget {
  conn: DataConnector;
  host: Host;
  from: string;
  manifest: Manifest;
  /** The signing key id the secrets store holds for this host, if any. */
  storeKeyId: string | undefined;
  emit: (e: RestoreEvent) => void;
  confirm: () => Promise<boolean>;
}

interface HostState {
  major: number;
  database: boolean;
  media: boolean;
}

async function hostState(t: RestoreTarget): Promise<HostState> {
  const r = await t.conn.exec(
    [
      `${asPostgres(`${pg("psql")} -XtA -d postgres -c 'show server_version_num'`)} 2>/dev/null || echo none`,
      `${asPostgres(`${pg("psql")} -XtA -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '${SYNAPSE_DB}'"`)} 2>/dev/null || echo 0`,
      `if [ -d ${PATHS.synapseMediaStore} ]; then echo 1; else echo 0; fi`,
    ].join("\n"),
  );
  const [version = "", db = "0", media = "0"] = r.stdout.trim().split("\n");
  if (!/^\d+$/.test(version))
    throw new UserError(`host ${t.host.name}: PostgreSQL does not answer`, {
      hint: "Converge the host first (`provision apply`), then restore onto it.",
    });
  return { major: Math.floor(Number(version) / 10000), database: db === "1", media: media === "1" };
}

function planItems(t: RestoreTarget, s: HostState, suffix: string): RestorePlanItem[] {
  const m = t.manifest;
  const rows = Object.values(m.tables).reduce((a, b) => a + b, 0);
  const backupFiles = new Set(m.config_files);
  return [
    {
      what: `database ${SYNAPSE_DB} (${Object.keys(m.tables).length} tables, ${rows} rows)`,
      current: s.database
        ? `renamed to ${SYNAPSE_DB}_${suffix.replace(/-/g, "_")} and kept`
        : "none yet",
    },
    {
      what: "PostgreSQL roles (attributes and passwords)",
      current: "roles of the same name take the backup's",
    },
    {
      what: `media store (${Object.keys(m.media).length} files)`,
      current: s.media ? `moved to ${PATHS.synapseMediaStore}.${suffix} and kept` : "none yet",
    },
    ...restorableFiles(t.host)
      .filter((f) => backupFiles.has(f.path))
      .map((f) => ({ what: f.path, current: `kept as ${f.path}.${suffix}` })),
  ];
}

function warnings(t: RestoreTarget): string[] {
  const out: string[] = [];
  if (t.storeKeyId && t.storeKeyId !== t.manifest.signing_key_id)
    out.push(
      `the secrets store holds signing key ${t.storeKeyId} for ${t.host.name}, the backup ${t.manifest.signing_key_id}: the next apply would replace the restored key (put the backup's key into the store first; docs/runbook.md)`,
    );
  out.push(
    `the rows of ${t.manifest.excluded_table_data.join(", ")} are not in the backup (Synapse's backup advice): clients upload new one-time keys`,
  );
  return out;
}

async function upload(t: RestoreTarget, stage: string, name: string): Promise<void> {
  const local = join(t.from, name);
  const target = `${stage}/${name}`;
  const r = await t.conn.execData(
    `set -eu\numask 077\ncat > ${q(`${target}.part`)}\nmv ${q(`${target}.part`)} ${q(target)}\nwc -c < ${q(target)} >&2`,
    { stdin: createReadStream(local) },
  );
  const size = Number(r.stderr.trim().split("\n").pop());
  const want = t.manifest.files.find((f) => f.name === name)?.size;
  if (r.code !== 0 || size !== want)
    throw new UserError(`host ${t.host.name}: uploading ${name} failed: ${tail(r.stderr)}`);
}

function databaseScript(stage: string, suffix: string): string {
  const kept = `${SYNAPSE_DB}_${suffix.replace(/-/g, "_")}`;
  const sql = (s: string) =>
    `${asPostgres(`${pg("psql")} -X -q -v ON_ERROR_STOP=1 -d postgres`)} <<'PROVISION_SQL'\n${s}\nPROVISION_SQL`;
  return [
    "set -eu",
    "if service synapse onestatus >/dev/null 2>&1; then service synapse onestop; fi",
    // pg_dumpall's CREATE ROLE fails for roles that exist; its ALTER ROLE still applies.
    `${asPostgres(`${pg("psql")} -X -q -d postgres`)} < ${stage}/${BACKUP_FILES.roles} 2>&1 | grep -v 'already exists' >&2 || true`,
    sql(
      `SELECT format('ALTER DATABASE %I RENAME TO %I', '${SYNAPSE_DB}', '${kept}') WHERE EXISTS (SELECT FROM pg_database WHERE datname = '${SYNAPSE_DB}') \\gexec`,
    ),
    // As the postgres recipe creates it: UTF8, C collation, from template0.
    sql(
      `CREATE DATABASE ${SYNAPSE_DB} OWNER synapse ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;`,
    ),
    `${asPostgres(`${pg("pg_restore")} --exit-on-error -d ${SYNAPSE_DB}`)} < ${stage}/${BACKUP_FILES.database}`,
  ].join("\n");
}

function mediaScript(stage: string, suffix: string): string {
  const store = PATHS.synapseMediaStore;
  return [
    "set -eu",
    `mkdir -m 700 ${stage}/media`,
    // Extracted in root's own directory, owned by synapse only once complete, then moved in.
    `tar -xf ${stage}/${BACKUP_FILES.media} -C ${stage}/media`,
    `test -d ${stage}/media/media_store`,
    `chown -R synapse:synapse ${stage}/media/media_store`,
    `chmod 750 ${stage}/media/media_store`,
    `if [ -e ${store} ]; then mv ${store} ${store}.${suffix}; fi`,
    `mv ${stage}/media/media_store ${store}`,
  ].join("\n");
}

function configScript(t: RestoreTarget, stage: string, suffix: string): string {
  const inBackup = new Set(t.manifest.config_files);
  const lines = [
    "set -eu",
    `mkdir -m 700 ${stage}/config`,
    `tar -xf ${stage}/${BACKUP_FILES.config} -C ${stage}/config`,
  ];
  for (const f of restorableFiles(t.host).filter((x) => inBackup.has(x.path))) {
    const src = q(`${stage}/config${f.path}`);
    const dst = q(f.path);
    const tmp = q(`${f.path}.provision-tmp`);
    lines.push(
      `if [ -f ${dst} ]; then cp -p ${dst} ${q(`${f.path}.${suffix}`)}; fi`,
      `install -o ${f.owner} -g ${f.group} -m ${f.mode} ${src} ${tmp}`,
      `fsync ${tmp}`,
      `mv ${tmp} ${dst}`,
    );
  }
  return lines.join("\n");
}

const startScript = [
  "set -eu",
  "service synapse onestart",
  "i=0",
  `until curl -sf ${SYNAPSE_URL}/health >/dev/null 2>&1; do`,
  '  i=$((i + 1)); if [ "$i" -ge 60 ]; then echo "Synapse does not answer /health after 60 s" >&2; exit 1; fi',
  "  sleep 1",
  "done",
].join("\n");

async function step(t: RestoreTarget, description: string, script: string): Promise<void> {
  const started = Date.now();
  const r = await t.conn.exec(script, { idleTimeoutMs: 600_000 });
  if (r.code !== 0)
    throw new UserError(
      `host ${t.host.name}: ${description} failed (exit ${r.code}): ${tail(r.stderr)}`,
      {
        hint: "The host's previous database, media store and files are kept under their before-restore names.",
      },
    );
  t.emit({
    type: "restore_step",
    host: t.host.name,
    description,
    seconds: (Date.now() - started) / 1000,
  });
}

/**
 * Compares the restored host with the manifest; true when every check passed. `counted` is the
 * row count taken before Synapse started: a running Synapse writes rows of its own at once
 * (cache_invalidation_stream_by_instance, for one), which are no difference from the backup.
 */
async function verify(t: RestoreTarget, counted: ExecResult): Promise<boolean> {
  const m = t.manifest;
  let ok = true;
  const report = (check: string, good: boolean, detail: string, unavailable = false) => {
    if (!good && !unavailable) ok = false;
    t.emit({
      type: "restore_check",
      host: t.host.name,
      check,
      ok: good,
      skipped: unavailable,
      detail,
    });
  };
  const diffs = countDifferences(m.tables, parseCounts(counted.stdout));
  report(
    "row counts",
    counted.code === 0 && diffs.length === 0,
    counted.code !== 0
      ? tail(counted.stderr)
      : diffs.length
        ? diffs.slice(0, 10).join("; ")
        : `${Object.keys(m.tables).length} tables equal to the manifest`,
  );
  const digest = new TarDigest();
  const media = await t.conn.execData(`tar -cf - -C ${q(PATHS.synapseDataDir)} media_store`, {
    stdout: digest,
  });
  digest.end();
  const mdiffs = mediaDifferences(m.media, Object.fromEntries(digest.files));
  report(
    "media checksums",
    media.code === 0 && digest.complete && mdiffs.length === 0,
    mdiffs.length ? mdiffs.slice(0, 10).join("; ") : `${Object.keys(m.media).length} files equal`,
  );
  const key = await t.conn.exec(signingKeyIdScript(signingKeyPath(t.host)));
  const keyId = key.stdout.trim();
  report(
    "signing key id",
    keyId === m.signing_key_id,
    `${keyId || "none"} (backup: ${m.signing_key_id})`,
  );
  const health = await t.conn.exec(`curl -s ${SYNAPSE_URL}/health`);
  report("/health", health.stdout.trim() === "OK", health.stdout.trim() || "no answer");
  const served = await t.conn.exec(`curl -s ${SYNAPSE_URL}/_matrix/key/v2/server`);
  let body: { verify_keys?: Record<string, unknown>; errcode?: string } = {};
  try {
    body = JSON.parse(served.stdout) as typeof body;
  } catch {
    body = {};
  }
  if (body.errcode === "M_UNRECOGNIZED")
    report(
      "/_matrix/key/v2/server",
      false,
      "not served on 127.0.0.1:8008 by the Synapse on this host",
      true,
    );
  else {
    const ids = Object.keys(body.verify_keys ?? {});
    report(
      "/_matrix/key/v2/server",
      ids.includes(m.signing_key_id),
      ids.length ? `serves ${ids.join(", ")}` : "no answer",
    );
  }
  return ok;
}

export async function restore(t: RestoreTarget): Promise<boolean> {
  const started = Date.now();
  const m = t.manifest;
  if (m.server_name !== t.host.config.server_name)
    throw new UserError(
      `backup ${t.from} is of ${m.server_name}; host ${t.host.name} serves ${t.host.config.server_name}: refused`,
      {
        hint: "A Matrix server's name is part of every row: restore onto a host with the same server_name.",
      },
    );
  const state = await hostState(t);
  if (state.major < m.postgresql_major)
    throw new UserError(
      `host ${t.host.name} runs PostgreSQL ${state.major}; the backup was dumped from ${m.postgresql_major}: refused`,
      { hint: `Set versions.postgresql to ${m.postgresql_major} or newer and apply first.` },
    );
  const suffix = `before-restore-${new Date(started)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}`;
  t.emit({
    type: "restore_plan",
    host: t.host.name,
    from: t.from,
    backupHost: m.host,
    created: m.created,
    items: planItems(t, state, suffix),
    warnings: warnings(t),
  });
  if (!(await t.confirm())) return false;
  const stage = `${OPS_STATE_DIR}/restore-${process.pid}-${started}`;
  let counted: ExecResult = { code: 1, stdout: "", stderr: "not counted" };
  await step(
    t,
    "prepare root's staging directory",
    `set -eu\n${ensureStateDir}\nmkdir -m 700 ${stage}`,
  );
  try {
    const t0 = Date.now();
    for (const f of Object.values(BACKUP_FILES)) await upload(t, stage, f);
    t.emit({
      type: "restore_step",
      host: t.host.name,
      description: "send the backup",
      seconds: (Date.now() - t0) / 1000,
    });
    await step(t, "restore the database and roles", databaseScript(stage, suffix));
    counted = await t.conn.exec(countRowsScript());
    await step(t, "restore the media store", mediaScript(stage, suffix));
    await step(t, "restore the signing key and configuration", configScript(t, stage, suffix));
    await step(t, "start Synapse", startScript);
  } finally {
    await t.conn.exec(`rm -rf ${q(stage)}`);
  }
  const ok = await verify(t, counted);
  t.emit({
    type: "restore_complete",
    host: t.host.name,
    ok,
    seconds: (Date.now() - started) / 1000,
  });
  return ok;
}
