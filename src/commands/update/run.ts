import { confirm } from "../../cli/confirm.js";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_OK } from "../../errors.js";
import { loadRecipe } from "../../recipes/load.js";
import { buildContext } from "../../render/context.js";
import { resourcesFor } from "../../resources/factory.js";
import { PkgResource } from "../../resources/pkg.js";
import { update } from "../../update/update.js";
import { updateView } from "../../views/update.js";

export interface UpdateOptions {
  host: string;
  yes?: boolean;
  acceptNewHostKey?: boolean;
}

/** The packages the host's recipes install (with the inventory's choices applied). */
function neededPackages(host: Parameters<typeof buildContext>[0]): Set<string> {
  const parts = resourcesFor(loadRecipe("homeserver"), buildContext(host, {}));
  return new Set(
    parts.flatMap((p) => p.resources.flatMap((r) => (r instanceof PkgResource ? r.packages : []))),
  );
}

export async function run(ctx: Context, opts: UpdateOptions): Promise<number> {
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  const needed = neededPackages(host);
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  try {
    await update(
      {
        conn,
        confirm: (q) => confirm(q, { yes: opts.yes, command: "update" }),
        emit: updateView(ctx.out),
      },
      host,
      needed,
    );
    return EXIT_OK;
  } finally {
    await conn.close();
  }
}
