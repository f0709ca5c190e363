import type { Context } from "../../cli/context.js";
import { selectHosts } from "../../cli/select-hosts.js";
import { hasErrors } from "../../diagnostics.js";
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from "../../errors.js";
import { checkInput, openSession } from "../../plan/session.js";
import { renderPlan } from "../../views/plan.js";

export interface PlanOptions {
  host?: string;
  limit?: string;
  assumeFresh?: boolean;
  detailedExitcode?: boolean;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: PlanOptions): Promise<number> {
  const assumeFresh = opts.assumeFresh === true;
  const input = await checkInput(ctx.inventoryFile, { assumeFresh });
  const session = await openSession(input, selectHosts(input.inventory, opts), {
    assumeFresh,
    acceptNewHostKey: opts.acceptNewHostKey === true,
  });
  try {
    renderPlan(ctx.out, session, { assumeFresh });
    if (process.env.PROVISION_STATS) {
      // Measurement aid for bench/: exec round trips per host after connecting.
      for (const hs of session.hosts)
        ctx.out.error(`stats: ${hs.host.name}: ${hs.conn?.roundTrips ?? 0} exec round trips`);
    }
    const failed = session.hosts.some((h) => h.error || hasErrors(h.plan.diagnostics));
    if (failed) return EXIT_ERROR;
    const changes = session.hosts.some((h) => h.plan.changes.length > 0);
    return changes && opts.detailedExitcode ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await session.close();
  }
}
