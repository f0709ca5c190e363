import { withHostLock } from "../../apply/lock.js";
import { confirm } from "../../cli/confirm.js";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_OK } from "../../errors.js";
import { neededPackages } from "../../update/needed.js";
import { update } from "../../update/update.js";
import { updateView } from "../../views/update.js";

export interface UpdateOptions {
  host: string;
  yes?: boolean;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: UpdateOptions): Promise<number> {
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  const needed = neededPackages(host);
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  try {
    await withHostLock(conn, "update", () =>
      update(
        {
          conn,
          confirm: (q) => confirm(q, { yes: opts.yes, command: "update" }),
          emit: updateView(ctx.out),
        },
        host,
        needed,
      ),
    );
    return EXIT_OK;
  } finally {
    await conn.close();
  }
}
