// The scheduled backup's room check, before Synapse stops: a run that would fill the disk fails
// at once, naming what it needs and what is free, instead of leaving a half-written backup.
import { asPostgres, pg, SYNAPSE_DB } from "./shell.js";

/** The database's size in bytes, as PostgreSQL counts it. */
export const databaseSizeCommand = asPostgres(
  `${pg("psql")} -XtA -d ${SYNAPSE_DB} -c 'SELECT pg_database_size(current_database())'`,
);

/** Added to the estimate: a tenth of it, and 64 MiB for the roles, configuration and manifest. */
export const MARGIN = { fraction: 10, kib: 65536 } as const;

/**
 * Shell text (needs `fail`): pg_dump -Fc writes less than the database's size and the media
 * archive about the media store's, so their sum plus the margin is an upper estimate. `dbSize`
 * prints bytes; `mediaDir` and `dir` are shell words (quoted paths).
 */
export function spaceCheckScript(dbSize: string, mediaDir: string, dir: string): string {
  return [
    `db_bytes=$(${dbSize}) || fail "PostgreSQL did not tell the database's size"`,
    `case "$db_bytes" in "" | *[!0-9]*) fail "PostgreSQL answered no database size: $db_bytes" ;; esac`,
    `media_kib=$(du -sk ${mediaDir} | awk '{ print $1 }')`,
    `estimate_kib=$((db_bytes / 1024 + media_kib))`,
    `need_kib=$((estimate_kib + estimate_kib / ${MARGIN.fraction} + ${MARGIN.kib}))`,
    `free_kib=$(df -k ${dir} | awk 'NR == 2 { print $4 }')`,
    `case "$free_kib" in "" | *[!0-9]*) fail "df answered no free space for ${dir}: $free_kib" ;; esac`,
    `[ "$free_kib" -ge "$need_kib" ] || fail "not enough room in ${dir}: about $((need_kib / 1024)) MiB needed (database $((db_bytes / 1048576)) MiB, media store $((media_kib / 1024)) MiB, and a margin), $((free_kib / 1024)) MiB free"`,
  ].join("\n");
}
