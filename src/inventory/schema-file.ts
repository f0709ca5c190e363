import { join } from "node:path";

/** The published inventory schema at the package root (two levels above src/inventory and dist/bundle). */
export const SCHEMA_FILE = join(import.meta.dirname, "../../schema/inventory.schema.json");
