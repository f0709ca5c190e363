import { hostname, userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { type ApplyEvent, type ApplyResult, applyPlan } from "../../apply/execute.js";
import { releaseLock, takeLock } from "../../apply/lock.js";
import { PROGRESS_EVERY_MS, progressLines, progressText } from "../../apply/progress.js";
import type { Context } from "../../cli/context.js";
import { hasErrors } from "../../diagnostics.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import { acmeHint } from "../../plan/acme-errors.js";
import { openSession, pool } from "../../plan/session.js";
import { formatDiagnostic } from "../../views/diagnostics.js";
import { renderHostPlan, renderPlanJson, stepText } from "../../views/plan.js";

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return ["yes", "y"].includes((await rl.question(question)).trim().toLowerCase());
  } finally {
    rl.close();
  }
}

export async function run(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const { out } = ctx;
  const concurrency = Number(opts.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UserError("--concurrency takes a whole number of at least 1");
  const session = await openSession(ctx, {
    ...(opts.host !== undefined ? { host: opts.host as string } : {}),
    acceptNewHostKey: opts.acceptNewHostKey === true,
    concurrency,
  });
  try {
    if (out.options.json) renderPlanJson(out, session.hosts, session.diagnostics);
    else {
      for (const d of session.diagnostics) out.line(formatDiagnostic(d, out));
      for (const hs of session.hosts) renderHostPlan(out, hs);
    }
    if (session.hosts.some((h) => h.error || hasErrors(h.plan.diagnostics))) {
      if (!out.options.json) out.error("Nothing was applied: fix the errors above first.");
      return EXIT_ERROR;
    }
    const todo = session.hosts.filter((h) => h.plan.changes.length > 0);
    if (todo.length === 0) return EXIT_OK;
    if (!opts.yes) {
      if (!process.stdin.isTTY) {
        throw new UserError("apply asks for confirmation, but standard input is not a terminal", {
          hint: "Review the plan above, then run again with --yes.",
        });
      }
      if (
        !(await confirm(
          `Apply these changes to ${todo.map((h) => h.host.name).join(", ")}? Only 'yes' continues: `,
        ))
      ) {
        out.line("Apply cancelled; nothing was changed.");
        return EXIT_OK;
      }
    }
    const live = process.stdout.isTTY && !out.options.json;
    // Plain lines (no cursor movement): every 30 s per host, so a log stays readable.
    const throttle = progressLines(PROGRESS_EVERY_MS);
    const onEvent = (e: ApplyEvent) => {
      if (out.options.json) {
        const base = {
          type: e.type,
          host: e.host,
          resource: e.change.address,
          step: stepText(e.step),
        };
        if (e.type === "apply_errored")
          out.json({
            "@level": "error",
            "@message": `${e.host}: ${e.change.address}: failed`,
            ...base,
            exit_code: e.code,
            stderr: e.stderr.slice(-4000),
          });
        else if (e.type === "apply_progress")
          out.json({
            "@level": "info",
            "@message": progressText(e),
            ...base,
            elapsed_ms: e.elapsedMs,
            ...(e.lastLine !== undefined ? { last_line: e.lastLine } : {}),
          });
        else if (e.type === "apply_complete")
          out.json({
            "@level": "info",
            "@message": `${e.host}: ${e.change.address}: done`,
            ...base,
            elapsed_ms: e.elapsedMs,
          });
        return;
      }
      const progress = throttle(e);
      if (progress !== undefined) out.line(out.paint("dim", progress));
      if (e.type === "apply_progress") return;
      if (e.type === "apply_start" && live)
        out.line(
          out.paint(
            "dim",
            `${e.host}: [${e.index}/${e.total}] ${e.change.address}: ${stepText(e.step)} ...`,
          ),
        );
      if (e.type === "apply_start" && !live)
        out.line(`${e.host}: [${e.index}/${e.total}] ${e.change.address}: ${stepText(e.step)}`);
      if (e.type === "apply_complete" && live)
        out.line(
          `${e.host}:   ${out.paint("green", "done")} (${(e.elapsedMs / 1000).toFixed(1)} s)`,
        );
    };
    const who = `${userInfo().username}@${hostname()} pid ${process.pid} since ${new Date().toISOString()}`;
    const results = await pool(todo, concurrency, async (hs): Promise<ApplyResult> => {
      const conn = hs.conn;
      if (!conn) throw new Error("no connection");
      await takeLock(conn, who);
      try {
        return await applyPlan(conn, hs.plan, onEvent);
      } finally {
        await releaseLock(conn).catch(() => undefined);
      }
    });
    let failed = false;
    for (const r of results) {
      if (r.ok) {
        if (!out.options.json)
          out.line(`${out.paint("green", "Apply complete")} for ${r.host}: ${r.applied} steps.`);
        continue;
      }
      failed = true;
      const f = r.failed;
      if (!f || out.options.json) continue;
      out.error(
        `${out.paint("red", "Apply failed")} on ${r.host} at ${f.change.address}: ${stepText(f.step)} (exit ${f.code})`,
      );
      const tail = f.stderr.trim().split("\n").slice(-15);
      for (const l of tail) out.error(`  ${l}`);
      // ACME failures (account, issuance) come with what to do about them.
      const hint = /^(certificate|command)$/.test(f.change.type)
        ? acmeHint(`${f.stderr}\n${f.stdout}`)
        : undefined;
      if (hint) out.error(`  ${hint}`);
      out.error(
        `  ${r.applied} steps before it were applied and are kept. Fix the cause, then run \`provision apply\` again: it continues from what is done.`,
      );
    }
    return failed ? EXIT_ERROR : EXIT_OK;
  } finally {
    await session.close();
  }
}
