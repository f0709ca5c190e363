import { createHash } from "node:crypto";

/** Hex SHA-256 of a text, as `openssl dgst -sha256` prints it for the same bytes (UTF-8). */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
