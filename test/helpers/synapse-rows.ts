// The backup tests' data set: Synapse's schema (the reference dump) with rows in users, rooms,
// events and one-time keys, and nine media files, on test host `host`.
import { readFileSync } from "node:fs";
import type { HostSet } from "../../testhost/src/hosts.js";
import { sh } from "./testhost.js";

const MEDIA = "/var/db/matrix-synapse/media_store";

export function loadSynapseRows(set: HostSet, host: number, schemaFile: string): void {
  const sql = [
    "SET ROLE synapse;",
    readFileSync(schemaFile, "utf8"),
    "INSERT INTO users (name, password_hash, creation_ts) SELECT '@user' || i || ':matrix1.example.test', 'x', i FROM generate_series(1, 3000) i;",
    "INSERT INTO rooms (room_id, is_public, creator, room_version) SELECT '!room' || i || ':matrix1.example.test', i % 2 = 0, '@user1:matrix1.example.test', '10' FROM generate_series(1, 300) i;",
    "INSERT INTO events (topological_ordering, event_id, type, room_id, content, processed, outlier, stream_ordering, sender) SELECT i, '$ev' || i, 'm.room.message', '!room' || (i % 300 + 1) || ':matrix1.example.test', '{\"body\": \"hello ' || i || '\"}', true, false, i, '@user' || (i % 3000 + 1) || ':matrix1.example.test' FROM generate_series(1, 20000) i;",
    "INSERT INTO e2e_one_time_keys_json (user_id, device_id, algorithm, key_id, ts_added_ms, key_json) SELECT '@user1:matrix1.example.test', 'DEV', 'signed_curve25519', 'k' || i, i, '{}' FROM generate_series(1, 50) i;",
  ].join("\n");
  const r = sh(set, host, `su -l postgres -c "psql -Xq -v ON_ERROR_STOP=1 -d synapse"`, sql);
  if (r.code !== 0) throw new Error(`loading Synapse's schema failed: ${r.stderr}`);
  const media = [
    `mkdir -p ${MEDIA}/local_content/ab/cd ${MEDIA}/local_thumbnails/ab/cd/efghij/`,
    `for i in 1 2 3 4 5 6 7 8; do head -c $((i * 40000)) /dev/urandom > ${MEDIA}/local_content/ab/cd/efghij$i; done`,
    `head -c 5000 /dev/urandom > ${MEDIA}/local_thumbnails/ab/cd/efghij/32-32-image-png`,
    `chown -R synapse:synapse ${MEDIA}`,
  ].join(" && ");
  const m = sh(set, host, media);
  if (m.code !== 0) throw new Error(`writing media files failed: ${m.stderr}`);
}
