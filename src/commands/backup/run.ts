import { isAbsolute, resolve } from "node:path";
import { withHostLock } from "../../apply/lock.js";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_OK } from "../../errors.js";
import { backup } from "../../ops/backup.js";
import { backupView } from "../../views/backup.js";

export interface BackupOptions {
  host: string;
  to: string;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: BackupOptions): Promise<number> {
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  const to = isAbsolute(opts.to) ? opts.to : resolve(opts.to);
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  try {
    // Under the host's lock: the backup stops Synapse, so it never runs beside an apply, a
    // restore, an upgrade or the scheduled backup, which would start Synapse again meanwhile.
    await withHostLock(conn, "backup", () => backup(conn, host, to, backupView(ctx.out)));
    return EXIT_OK;
  } finally {
    await conn.close();
  }
}
