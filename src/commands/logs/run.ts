import { Writable } from "node:stream";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import { LOG_SOURCES, type LogSource, logScript } from "../../ops/logs.js";
import { didYouMean } from "../../util/suggest.js";
import { logsMissing, logsView } from "../../views/logs.js";

export interface LogsOptions {
  host: string;
  follow?: boolean;
  lines: string;
  acceptNewHostKey?: boolean;
}

/** Splits a byte stream into lines for the view (a partial last line waits for the rest). */
function lineSink(each: (line: string) => void): Writable & { flushRest: () => void } {
  let rest = "";
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      const parts = (rest + chunk.toString("utf8")).split("\n");
      rest = parts.pop() ?? "";
      for (const p of parts) each(p);
      done();
    },
  });
  return Object.assign(w, {
    flushRest: () => {
      if (rest) each(rest);
      rest = "";
    },
  });
}

export async function run(ctx: Context, opts: LogsOptions, args: string[]): Promise<number> {
  const source = (args[0] ?? "synapse") as LogSource;
  if (!LOG_SOURCES.includes(source)) {
    const guess = didYouMean(source, [...LOG_SOURCES]);
    throw new UserError(`no log source '${source}'`, {
      hint: `${guess ? `Did you mean '${guess}'? ` : ""}Sources: ${LOG_SOURCES.join(", ")}`,
    });
  }
  if (!/^[1-9][0-9]{0,6}$/.test(opts.lines))
    throw new UserError(`--lines ${opts.lines} is not a number of lines (1 to 9999999)`);
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  const sink = lineSink(logsView(ctx.out, host.name, source));
  const stop = () => void conn.close();
  process.once("SIGINT", stop);
  try {
    const r = await conn.execData(logScript(source, Number(opts.lines), opts.follow === true), {
      stdout: sink,
    });
    sink.flushRest();
    for (const l of r.stderr.split("\n").filter((x) => x.startsWith("no log file ")))
      logsMissing(ctx.out, host.name, l);
    // Interrupted while following is how --follow ends.
    if (r.code === 0 || opts.follow) return EXIT_OK;
    return r.code === 3 ? EXIT_ERROR : EXIT_OK;
  } finally {
    process.removeListener("SIGINT", stop);
    await conn.close();
  }
}
