import { createInterface } from "node:readline/promises";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { q } from "../../connector/quote.js";
import { SshConnector } from "../../connector/ssh.js";
import { EXIT_OK, UserError } from "../../errors.js";
import { postgresDataDir } from "../../freebsd/paths.js";
import { SYNAPSE_PACKAGE_POSTGRESQL } from "../../inventory/install-checks.js";
import { describe, preflight, readState, runPhases } from "../../upgrade/orchestrate.js";
import { locked, rollbackScript } from "../../upgrade/phases.js";

export async function run(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const { out } = ctx;
  const dir = opts.dumpDir as string;
  if (!/^\/[A-Za-z0-9._/-]+$/.test(dir))
    throw new UserError(
      `--dump-dir must be an absolute path of letters, digits, '.', '_', '-' and '/'`,
    );
  const { inventory } = requireInventory(ctx);
  const host = inventory.hosts.find((h) => h.name === opts.host);
  if (!host) throw new UserError(`no host '${opts.host}' in ${ctx.inventoryFile}`);
  const to = opts.to !== undefined ? Number(opts.to) : undefined;
  if (!opts.rollback && !opts.cleanup && (to === undefined || !Number.isInteger(to)))
    throw new UserError("--to MAJOR is required (e.g. --to 17)");
  if (
    to !== undefined &&
    host.config.synapse.install === "package" &&
    to !== SYNAPSE_PACKAGE_POSTGRESQL
  )
    throw new UserError(
      `host ${host.name} runs Synapse from FreeBSD's package, which needs PostgreSQL ${SYNAPSE_PACKAGE_POSTGRESQL}'s client: reinstalling it after the swap would remove the PostgreSQL ${to} server again`,
      { hint: "Switch to synapse.install: pip (and apply) before moving to another major." },
    );
  const conn = await SshConnector.connect(host.name, host.config.ssh, new Set(host.sshExplicit), {
    ...(opts.acceptNewHostKey ? { acceptNewHostKey: true } : {}),
  });
  try {
    const uname = await conn.exec("uname -s");
    if (uname.stdout.trim() !== "FreeBSD")
      throw new UserError(
        `host ${host.name} runs ${uname.stdout.trim()}, not FreeBSD: refusing to touch it`,
      );
    const st = await readState(conn, dir);
    if (opts.cleanup) {
      if (st.phase && st.phase !== "done")
        throw new UserError(
          `an upgrade on ${host.name} is not finished (phase '${st.phase}'): run it again or roll back first`,
        );
      const r = await conn.exec(
        `rm -rf /var/db/postgres/data*.pre-upgrade ${q(dir)}; echo removed`,
      );
      if (r.code !== 0) throw new UserError(`cleanup failed: ${r.stderr.trim()}`);
      out.line(`${host.name}: removed the kept old data directory and ${dir}.`);
      return EXIT_OK;
    }
    if (opts.rollback) {
      if (!st.params)
        throw new UserError(`no upgrade state in ${dir} on ${host.name}: nothing to roll back`);
      const p = { ...st.params, dir };
      if (!st.leftover && st.phase === "done")
        throw new UserError(
          `the old data directory of ${host.name} is gone (cleaned up): rolling back is no longer possible`,
        );
      const r = await conn.exec(locked(rollbackScript(p)), { timeoutMs: 3600_000 });
      if (r.code !== 0)
        throw new UserError(
          `rollback failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-5).join(" ")}`,
        );
      out.line(
        `${host.name}: rolled back to PostgreSQL ${p.from} (${postgresDataDir(p.from)}); services restarted.`,
      );
      return EXIT_OK;
    }
    if (st.phase === "done" && st.params?.to === to) {
      out.line(
        `${host.name}: already upgraded to PostgreSQL ${to}. Remove the kept data with --cleanup when satisfied.`,
      );
      return EXIT_OK;
    }
    const { from } = preflight(st, to as number, host.name);
    const p = { from, to: st.params && st.phase !== "done" ? st.params.to : (to as number), dir };
    describe(out, host.name, p, st);
    if (!opts.yes) {
      if (!process.stdin.isTTY)
        throw new UserError(
          "upgrade-postgres asks for confirmation, but standard input is not a terminal",
          { hint: "Run again with --yes." },
        );
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = (await rl.question("Proceed? Only 'yes' continues: ")).trim();
      rl.close();
      if (answer !== "yes") {
        out.line("Cancelled; nothing was changed.");
        return EXIT_OK;
      }
    }
    await runPhases(conn, p, st, (s) => out.line(`${host.name}: ${s}`));
    out.line(
      `${host.name}: PostgreSQL ${p.to} serves every row the old cluster had; Synapse answers. The old data directory (${postgresDataDir(p.from)}.pre-upgrade) and the dump stay until \`provision upgrade-postgres --host ${host.name} --cleanup\`.`,
    );
    return EXIT_OK;
  } finally {
    await conn.close();
  }
}
