import { hostname, userInfo } from "node:os";
import { type ApplyResult, applyPlan } from "../../apply/execute.js";
import { takeLock } from "../../apply/lock.js";
import { confirm } from "../../cli/confirm.js";
import type { Context } from "../../cli/context.js";
import { selectHosts } from "../../cli/select-hosts.js";
import { sshToHost } from "../../connector/connect-host.js";
import { hasErrors } from "../../diagnostics.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import { checkInput, openSession } from "../../plan/session.js";
import { pool } from "../../util/pool.js";
import { applyView } from "../../views/apply.js";
import { renderPlan } from "../../views/plan.js";

export interface ApplyOptions {
  host?: string;
  yes?: boolean;
  /** As typed: a whole number of at least 1. */
  concurrency: string;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: ApplyOptions): Promise<number> {
  const { out } = ctx;
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UserError("--concurrency takes a whole number of at least 1");
  const input = await checkInput(ctx.inventoryFile);
  const session = await openSession(input, selectHosts(input.inventory, opts.host), {
    acceptNewHostKey: opts.acceptNewHostKey === true,
    concurrency,
  });
  try {
    renderPlan(out, session);
    const show = applyView(out, process.stdout.isTTY === true);
    if (session.hosts.some((h) => h.error || hasErrors(h.plan.diagnostics))) {
      show({ type: "apply_blocked" });
      return EXIT_ERROR;
    }
    const todo = session.hosts.filter((h) => h.plan.changes.length > 0);
    if (todo.length === 0) return EXIT_OK;
    const names = todo.map((h) => h.host.name).join(", ");
    if (!(await confirm(`Apply these changes to ${names}?`, { yes: opts.yes, command: "apply" }))) {
      show({ type: "apply_cancelled" });
      return EXIT_OK;
    }
    const who = `${userInfo().username}@${hostname()} pid ${process.pid} since ${new Date().toISOString()}`;
    const results = await pool(todo, concurrency, async (hs): Promise<ApplyResult> => {
      const conn = hs.conn;
      if (!conn) throw new Error("no connection");
      const lock = await takeLock(conn, who);
      try {
        // New firewall rules are confirmed over a new connection (apply/firewall-rollback.ts).
        const newConnection = () => sshToHost(hs.host);
        return await applyPlan(conn, hs.plan, show, { newConnection });
      } finally {
        await lock.release().catch(() => undefined);
      }
    });
    for (const [i, result] of results.entries())
      show({ type: "apply_result", result, changes: todo[i]?.plan.changes ?? [] });
    return results.every((r) => r.ok) ? EXIT_OK : EXIT_ERROR;
  } finally {
    await session.close();
  }
}
