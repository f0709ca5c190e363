import { readFileSync } from "node:fs";
import type { Context } from "../../cli/context.js";
import { EXIT_OK } from "../../errors.js";
import { SCHEMA_FILE } from "../../inventory/schema-file.js";

export async function run(ctx: Context): Promise<number> {
  // The file as published (it also ships in the npm package), not a re-serialisation.
  ctx.out.line(readFileSync(SCHEMA_FILE, "utf8").trimEnd());
  return EXIT_OK;
}
