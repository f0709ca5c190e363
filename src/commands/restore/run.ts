import { withHostLock } from "../../apply/lock.js";
import { confirm } from "../../cli/confirm.js";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_ERROR, EXIT_OK } from "../../errors.js";
import { verifyBackup } from "../../ops/manifest.js";
import { restore } from "../../ops/restore.js";
import { lookupSecret } from "../../secrets/store.js";
import { restoreView } from "../../views/restore.js";
import { openStore } from "../secrets/open.js";

export interface RestoreOptions {
  host: string;
  from: string;
  yes?: boolean;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: RestoreOptions): Promise<number> {
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  // Every file against the manifest before anything is contacted.
  const manifest = await verifyBackup(opts.from);
  const store = await openStore(inventory, ctx.inventoryFile);
  const key = lookupSecret(store.data, host.name, "signing_key");
  const storeKeyId = key?.split(" ").slice(0, 2).join(":");
  const view = restoreView(ctx.out);
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  try {
    const ok = await withHostLock(conn, "restore", () =>
      restore({
        conn,
        host,
        from: opts.from,
        manifest,
        storeKeyId,
        emit: view,
        confirm: () => confirm(`Restore onto ${host.name}?`, { yes: opts.yes, command: "restore" }),
      }),
    );
    return ok ? EXIT_OK : EXIT_ERROR;
  } finally {
    await conn.close();
  }
}
