import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Context } from "../../cli/context.js";
import { hasErrors, sortDiagnostics } from "../../diagnostics.js";
import { EXIT_ERROR, EXIT_OK, UserError } from "../../errors.js";
import { loadInventory } from "../../inventory/load.js";
import { renderFiles } from "../../render/files.js";
import { checkSecrets } from "../../secrets/check.js";
import { lookupSecret } from "../../secrets/store.js";
import { formatDiagnostic } from "../../views/diagnostics.js";

export async function run(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const { out } = ctx;
  const outDir = opts.out as string;
  const only = opts.host as string | undefined;
  const loaded = loadInventory(ctx.inventoryFile);
  let diagnostics = loaded.diagnostics;
  const secrets = loaded.inventory
    ? await checkSecrets(loaded.inventory, loaded.secretRefs, true)
    : undefined;
  diagnostics = sortDiagnostics([...diagnostics, ...(secrets?.diagnostics ?? [])]);
  if (!loaded.inventory || !secrets?.data || hasErrors(diagnostics)) {
    for (const d of diagnostics) out.error(formatDiagnostic(d, out));
    out.error("Nothing rendered: fix the errors above (`provision validate` shows them too).");
    return EXIT_ERROR;
  }
  const hosts = loaded.inventory.hosts.filter((h) => only === undefined || h.name === only);
  if (hosts.length === 0) {
    throw new UserError(`no host '${only}' in ${ctx.inventoryFile}`, {
      hint: `Hosts: ${loaded.inventory.hosts.map((h) => h.name).join(", ")}`,
    });
  }
  const store = secrets.data;
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
  const summary: { host: string; files: number }[] = [];
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
    summary.push({ host: host.name, files: files.length });
  }
  if (out.options.json) {
    out.json({ out: outDir, hosts: summary });
  } else {
    for (const s of summary)
      out.line(
        `Rendered ${s.files} files for ${s.host} into ${join(outDir, s.host)}/ (see MANIFEST).`,
      );
  }
  return EXIT_OK;
}
