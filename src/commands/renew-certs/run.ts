import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { cmd } from "../../connector/quote.js";
import { SshConnector } from "../../connector/ssh.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import { certDir, PATHS } from "../../freebsd/paths.js";
import { acmeHint } from "../../plan/acme-errors.js";
import { pool } from "../../plan/session.js";

export async function run(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const { out } = ctx;
  const { inventory } = requireInventory(ctx);
  const hosts = inventory.hosts.filter((h) => opts.host === undefined || h.name === opts.host);
  if (hosts.length === 0) throw new UserError(`no host '${opts.host}' in ${ctx.inventoryFile}`);
  const results = await pool(hosts, 4, async (host) => {
    const conn = await SshConnector.connect(host.name, host.config.ssh, new Set(host.sshExplicit), {
      ...(opts.acceptNewHostKey ? { acceptNewHostKey: true } : {}),
    });
    try {
      const cert = `${certDir(host.config.public_hostname)}/cert.pem`;
      const renew = cmd(
        "dehydrated",
        "--cron",
        ...(opts.force ? ["--force"] : []),
        "--config",
        `${PATHS.dehydratedDir}/config`,
      );
      const r = await conn.exec(
        `${renew}\nrc=$?\n` +
          `echo "@@cert $(openssl x509 -in ${cert} -noout -serial -enddate 2>/dev/null | tr '\\n' ' ')"\nexit $rc\n`,
        { timeoutMs: 15 * 60_000 },
      );
      const cert_ = /@@cert serial=(\S+) notAfter=(.+)$/m.exec(r.stdout);
      return {
        host: host.name,
        ok: r.code === 0,
        renewed: /Renewing!|Creating fullchain|Requesting new certificate/.test(r.stdout),
        serial: cert_?.[1],
        until: cert_?.[2]?.trim(),
        output: r.stdout + r.stderr,
      };
    } finally {
      await conn.close();
    }
  });
  let failed = false;
  for (const r of results) {
    if (out.options.json) {
      out.json({
        type: "renew_result",
        host: r.host,
        ok: r.ok,
        renewed: r.renewed,
        serial: r.serial ?? null,
        not_after: r.until ?? null,
      });
      failed ||= !r.ok;
      continue;
    }
    if (!r.ok) {
      failed = true;
      out.error(`${r.host}: renewal failed`);
      for (const l of r.output.trim().split("\n").slice(-12)) out.error(`  ${l}`);
      const hint = acmeHint(r.output);
      if (hint) out.error(`  ${hint}`);
      continue;
    }
    out.line(
      `${r.host}: ${r.renewed ? "renewed and deployed" : "not due, kept"}: serial ${r.serial ?? "?"}, valid until ${r.until ?? "?"}`,
    );
  }
  return failed ? EXIT_ERROR : EXIT_OK;
}
