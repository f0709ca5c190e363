import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Context } from "../../cli/context.js";
import { selectHosts } from "../../cli/select-hosts.js";
import { EXIT_OK, UserError } from "../../errors.js";
import { checkInput } from "../../plan/session.js";
import { renderFiles } from "../../render/files.js";
import { lookupSecret } from "../../secrets/store.js";
import { renderView } from "../../views/render.js";

export interface RenderOptions {
  /** The output directory. */
  out: string;
  host?: string;
  limit?: string;
}

export async function run(ctx: Context, opts: RenderOptions): Promise<number> {
  const outDir = opts.out;
  const { inventory, secrets: store } = await checkInput(ctx.inventoryFile);
  if (!store) throw new Error("checked input without a secrets store");
  const hosts = selectHosts(inventory, opts);
  const show = renderView(ctx.out);
  try {
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    if (!statSync(outDir).isDirectory()) throw new Error("it exists and is not a directory");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === "EEXIST" || e.code === "ENOTDIR"
        ? "it (or a parent) is a file, not a directory"
        : e.message;
    throw new UserError(`cannot render into ${outDir}: ${why}`, {
      hint: "--out names a directory to create or reuse, e.g. --out rendered/",
    });
  }
  for (const host of hosts) {
    const names = new Set([
      ...Object.keys(store.shared),
      ...Object.keys(store.hosts[host.name] ?? {}),
    ]);
    const values = Object.fromEntries(
      [...names].map((n) => [n, lookupSecret(store, host.name, n) as string]),
    );
    const files = renderFiles(host, values);
    const hostDir = join(outDir, host.name);
    mkdirSync(hostDir, { recursive: true, mode: 0o700 });
    chmodSync(hostDir, 0o700);
    const manifest: string[] = ["# path\towner:group\tmode\tsha256"];
    for (const f of files) {
      const local = join(hostDir, f.path);
      mkdirSync(dirname(local), { recursive: true, mode: 0o700 });
      writeFileSync(local, f.content, { mode: f.sensitive ? 0o600 : 0o644 });
      chmodSync(local, f.sensitive ? 0o600 : 0o644);
      manifest.push(`${f.path}\t${f.owner}:${f.group}\t${f.mode}\t${f.sha256}`);
    }
    writeFileSync(join(hostDir, "MANIFEST"), `${manifest.join("\n")}\n`);
    show({ type: "rendered", host: host.name, files: files.length, dir: outDir });
  }
  return EXIT_OK;
}
