import type { Context } from "../../cli/context.js";
import { hasErrors } from "../../diagnostics.js";
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from "../../errors.js";
import { openSession } from "../../plan/session.js";
import { formatDiagnostic } from "../../views/diagnostics.js";
import { renderHostPlan, renderPlanJson } from "../../views/plan.js";

export async function run(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const session = await openSession(ctx, {
    ...(opts.host !== undefined ? { host: opts.host as string } : {}),
    assumeFresh: opts.assumeFresh === true,
    acceptNewHostKey: opts.acceptNewHostKey === true,
  });
  try {
    const { out } = ctx;
    if (out.options.json) {
      renderPlanJson(out, session.hosts, session.diagnostics);
    } else {
      for (const d of session.diagnostics) out.line(formatDiagnostic(d, out));
      if (session.diagnostics.length > 0) out.line("");
      if (opts.assumeFresh)
        out.line(
          out.paint(
            "dim",
            "Planned against a blank FreeBSD host (--assume-fresh): nothing was contacted.\n",
          ),
        );
      for (const hs of session.hosts) renderHostPlan(out, hs);
    }
    if (process.env.PROVISION_STATS) {
      // Measurement aid for bench/: exec round trips per host after connecting.
      for (const hs of session.hosts)
        process.stderr.write(
          `stats: ${hs.host.name}: ${hs.conn?.roundTrips ?? 0} exec round trips\n`,
        );
    }
    const failed = session.hosts.some((h) => h.error || hasErrors(h.plan.diagnostics));
    if (failed) return EXIT_ERROR;
    const changes = session.hosts.some((h) => h.plan.changes.length > 0);
    return changes && opts.detailedExitcode ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await session.close();
  }
}
