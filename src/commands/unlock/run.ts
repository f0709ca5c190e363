import {
  LOCK_FILE,
  lockStateScript,
  parseLockState,
  removeStaleLockScript,
} from "../../apply/lock.js";
import { confirm } from "../../cli/confirm.js";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_OK, UserError } from "../../errors.js";
import { unlockView } from "../../views/unlock.js";

export interface UnlockOptions {
  host: string;
  yes?: boolean;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: UnlockOptions): Promise<number> {
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  const show = unlockView(ctx.out);
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  try {
    const probe = await conn.exec(lockStateScript);
    const lock = parseLockState(probe.stdout);
    if (lock.state === "none") {
      show({ type: "lock_absent", host: host.name });
      return EXIT_OK;
    }
    if (lock.state === "live")
      throw new UserError(
        `host ${host.name} is locked by a running apply (${lock.details || "owner unknown"}): not removing it`,
        {
          hint: "The lock goes when that apply's SSH session ends. If the session hangs, end the process named above on the host.",
        },
      );
    const question = `Remove the stale apply lock ${LOCK_FILE} on ${host.name} (${lock.details || "owner unknown"})?`;
    if (!(await confirm(question, { yes: opts.yes, command: "unlock" }))) return EXIT_OK;
    const removed = await conn.exec(removeStaleLockScript);
    if (removed.stdout.trim() !== "removed")
      throw new UserError(
        removed.stdout.trim() === "live"
          ? `host ${host.name}: an apply took the lock in the meantime; not removing it`
          : `host ${host.name}: removing ${LOCK_FILE} failed: ${removed.stderr.trim() || `exit ${removed.code}`}`,
      );
    show({ type: "lock_removed", host: host.name, details: lock.details });
    return EXIT_OK;
  } finally {
    await conn.close();
  }
}
