// PostgreSQL helpers shared by pg_role and pg_database: psql as the superuser, SQL quoting, and
// SCRAM-SHA-256 verifiers computed here so that no password ever travels to the host.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

const ITERATIONS = 4096;

/** A PostgreSQL SCRAM-SHA-256 verifier for a password (what ALTER ROLE ... PASSWORD stores). */
export function scramVerifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations = ITERATIONS,
): string {
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Whether a stored verifier was made from this password (no password ever leaves this machine). */
export function verifierMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const expected = scramVerifier(password, Buffer.from(m[2] as string, "base64"), Number(m[1]));
  return (
    expected.length === verifier.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(verifier))
  );
}

/** psql as the postgres superuser, statements on standard input, stopping at the first error. */
export function psql(sql: string): string {
  return `su -l postgres -c 'psql -Xq -v ON_ERROR_STOP=1 -d postgres' <<'PROVISION_SQL'\n${sql}\nPROVISION_SQL`;
}

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
