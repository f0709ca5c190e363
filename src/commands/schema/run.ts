import { readFileSync } from "node:fs";
import type { Context } from "../../cli/context.js";
import { EXIT_OK } from "../../errors.js";
import { SCHEMA_FILE } from "../../inventory/schema-file.js";

export async function run(ctx: Context): Promise<number> {
  // The file as published (it also ships in the npm package), not a re-serialisation.
  const text = readFileSync(SCHEMA_FILE, "utf8");
  // With --json, the stream's one `schema` event carries it, like every other command's output.
  if (ctx.out.options.json)
    ctx.out.event("info", "inventory schema", "schema", { schema: JSON.parse(text) });
  else ctx.out.line(text.trimEnd());
  return EXIT_OK;
}
