import { withHostLock } from "../../apply/lock.js";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHosts } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { cmd } from "../../connector/quote.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import { certDir, PATHS } from "../../freebsd/paths.js";
import type { Host } from "../../inventory/types.js";
import { pool } from "../../util/pool.js";
import { type RenewResult, renewView } from "../../views/renew-certs.js";

export interface RenewCertsOptions {
  host?: string;
  limit?: string;
  force?: boolean;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: RenewCertsOptions): Promise<number> {
  const { inventory } = requireInventory(ctx);
  const hosts = selectHosts(inventory, opts);
  const show = renewView(ctx.out);
  // One host that cannot be reached or fails is its own result; the others go on.
  const results = await pool(hosts, 4, (host) =>
    renew(host, opts).catch((err: unknown): RenewResult => {
      if (!(err instanceof UserError)) throw err;
      return {
        host: host.name,
        ok: false,
        renewed: false,
        serial: undefined,
        notAfter: undefined,
        output: "",
        error: { message: err.message, ...(err.hint ? { hint: err.hint } : {}) },
      };
    }),
  );
  for (const result of results) show({ type: "renew_result", result });
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_ERROR;
}

/** dehydrated --cron on the host (its hook deploys a new certificate), then the one in place. */
async function renew(host: Host, opts: RenewCertsOptions): Promise<RenewResult> {
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  try {
    const cert = `${certDir(host.config.public_hostname)}/cert.pem`;
    const dehydrated = cmd(
      "dehydrated",
      "--cron",
      ...(opts.force ? ["--force"] : []),
      "--config",
      `${PATHS.dehydratedDir}/config`,
    );
    const r = await withHostLock(conn, "renew-certs", () =>
      conn.exec(
        `${dehydrated}\nrc=$?\n` +
          `echo "@@cert $(openssl x509 -in ${cert} -noout -serial -enddate 2>/dev/null | tr '\\n' ' ')"\nexit $rc\n`,
        { timeoutMs: 15 * 60_000 },
      ),
    );
    const deployed = /@@cert serial=(\S+) notAfter=(.+)$/m.exec(r.stdout);
    return {
      host: host.name,
      ok: r.code === 0,
      renewed: /Renewing!|Creating fullchain|Requesting new certificate/.test(r.stdout),
      serial: deployed?.[1],
      notAfter: deployed?.[2]?.trim(),
      output: r.stdout + r.stderr,
    };
  } finally {
    await conn.close();
  }
}
