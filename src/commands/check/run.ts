import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHosts } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { UserError } from "../../errors.js";
import type { Host } from "../../inventory/types.js";
import { CHECK_EXIT, checkHost, type Finding, type Status, worst } from "../../ops/check.js";
import { checkView } from "../../views/check.js";
import { renderStop } from "../../views/errors.js";

export interface CheckOptions {
  host?: string;
  limit?: string;
  acceptNewHostKey?: boolean;
}

function chosen(ctx: Context, opts: CheckOptions): Host[] {
  const { inventory } = requireInventory(ctx);
  return selectHosts(inventory, {
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  });
}

export async function run(ctx: Context, opts: CheckOptions): Promise<number> {
  let hosts: Host[];
  try {
    hosts = chosen(ctx, opts);
  } catch (err) {
    // A monitor reads 1 as "warning": bad input is "unknown" (3), as monitoring plugins say it.
    if (!(err instanceof UserError)) throw err;
    renderStop(ctx.out, err);
    return CHECK_EXIT.unknown;
  }
  const view = checkView(ctx.out);
  const statuses: Status[] = [];
  for (const host of hosts) {
    const started = Date.now();
    let findings: Finding[];
    try {
      const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
      try {
        findings = await checkHost(conn, host);
      } finally {
        await conn.close();
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      findings = [{ check: "connection", status: "unknown", detail: err.message }];
    }
    const status = worst(findings);
    statuses.push(status);
    view.findings(host.name, findings, status, (Date.now() - started) / 1000);
  }
  return CHECK_EXIT[worst(statuses.map((s) => ({ check: "", status: s, detail: "" })))];
}
