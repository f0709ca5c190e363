import { parseConcurrency } from "../../cli/concurrency.js";
import type { Context } from "../../cli/context.js";
import { selectHosts } from "../../cli/select-hosts.js";
import { hasErrors } from "../../diagnostics.js";
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import { savedPlan, writeSavedPlan } from "../../plan/saved.js";
import { checkInput, openSession } from "../../plan/session.js";
import { planSavedView, renderPlan } from "../../views/plan.js";

export interface PlanOptions {
  host?: string;
  limit?: string;
  assumeFresh?: boolean;
  detailedExitcode?: boolean;
  acceptNewHostKey?: boolean;
  allowDowngrade?: boolean;
  /** Save the plan with the facts it was made from, for `apply FILE`. */
  out?: string;
  /** As typed: a whole number of at least 1. */
  concurrency?: string;
}

export async function run(ctx: Context, opts: PlanOptions): Promise<number> {
  const assumeFresh = opts.assumeFresh === true;
  if (assumeFresh && opts.out !== undefined)
    throw new UserError("--out saves a plan made from the hosts' facts: not with --assume-fresh", {
      hint: "Plan against the hosts (without --assume-fresh) to save the plan.",
    });
  const concurrency = parseConcurrency(opts.concurrency ?? "10");
  const input = await checkInput(ctx.inventoryFile, { assumeFresh });
  const session = await openSession(input, selectHosts(input.inventory, opts), {
    assumeFresh,
    acceptNewHostKey: opts.acceptNewHostKey === true,
    allowDowngrade: opts.allowDowngrade === true,
    concurrency,
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
    if (opts.out !== undefined) {
      writeSavedPlan(opts.out, savedPlan(session.hosts, ctx.out.options.version));
      planSavedView(ctx.out, opts.out);
    }
    const changes = session.hosts.some((h) => h.plan.changes.length > 0);
    return changes && opts.detailedExitcode ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await session.close();
  }
}
