import { withHostLock } from "../../apply/lock.js";
import { confirm } from "../../cli/confirm.js";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_OK, UserError } from "../../errors.js";
import { PATHS } from "../../freebsd/paths.js";
import { SYNAPSE_PACKAGE_POSTGRESQL } from "../../inventory/install-checks.js";
import { cleanup } from "../../upgrade/cleanup.js";
import { checkDumpDir, parseTargetMajor } from "../../upgrade/preflight.js";
import { rollback } from "../../upgrade/rollback.js";
import type { UpgradeSession } from "../../upgrade/session.js";
import { upgrade } from "../../upgrade/upgrade.js";
import { upgradeView } from "../../views/upgrade.js";

export interface UpgradeOptions {
  host: string;
  to?: string;
  yes?: boolean;
  dumpDir?: string;
  rollback?: boolean;
  dump: boolean;
  cleanup?: boolean;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as UpgradeOptions;
  if (opts.rollback && opts.cleanup)
    throw new UserError("--rollback and --cleanup exclude each other: choose one");
  if (!opts.dump && !opts.rollback) throw new UserError("--no-dump goes with --rollback only");
  const to = opts.rollback || opts.cleanup ? undefined : parseTargetMajor(opts.to);
  if (opts.dumpDir !== undefined) checkDumpDir(opts.dumpDir);
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  if (
    to !== undefined &&
    host.config.synapse.install === "package" &&
    to !== SYNAPSE_PACKAGE_POSTGRESQL
  )
    throw new UserError(
      `host ${host.name} runs Synapse from FreeBSD's package, which needs PostgreSQL ${SYNAPSE_PACKAGE_POSTGRESQL}'s client: reinstalling it after the swap would remove the PostgreSQL ${to} server again`,
      { hint: "Switch to synapse.install: pip (and apply) before moving to another major." },
    );
  const conn = await connectHost(host, { acceptNewHostKey: Boolean(opts.acceptNewHostKey) });
  try {
    const session: UpgradeSession = {
      conn,
      host: host.name,
      emit: upgradeView(ctx.out),
      confirm: (question) =>
        confirm(question, { command: "upgrade-postgres", ...(opts.yes ? { yes: true } : {}) }),
      stateDir: PATHS.upgradeStateDir,
    };
    await withHostLock(conn, "upgrade-postgres", async () => {
      if (opts.cleanup) await cleanup(session, { dumpDir: opts.dumpDir });
      else if (opts.rollback) await rollback(session, { dumpDir: opts.dumpDir, dump: opts.dump });
      else
        await upgrade(session, {
          to: to as number,
          dumpDir: opts.dumpDir ?? PATHS.upgradeDumpDir,
        });
    });
    return EXIT_OK;
  } finally {
    await conn.close();
  }
}
