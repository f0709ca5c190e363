import { q } from "../connector/quote.js";
import type { Connector } from "../connector/types.js";
import { UserError } from "../errors.js";

export const LOCK_DIR = "/var/run/provision.lock";

/** mkdir is atomic: the first apply takes the lock, a second one is refused with who holds it. */
export async function takeLock(conn: Connector, who: string): Promise<void> {
  const r = await conn.exec(
    `if mkdir ${LOCK_DIR} 2>/dev/null; then printf '%s\\n' ${q(who)} > ${LOCK_DIR}/owner; echo taken; else cat ${LOCK_DIR}/owner 2>/dev/null; fi`,
  );
  if (r.stdout.trim() !== "taken") {
    throw new UserError(
      `host ${conn.name} is locked by another apply (${r.stdout.trim() || "owner unknown"})`,
      {
        hint: `Wait for it to finish. If it died, remove ${LOCK_DIR} on the host and run again.`,
      },
    );
  }
}

export async function releaseLock(conn: Connector): Promise<void> {
  await conn.exec(`rm -rf ${LOCK_DIR}`);
}
