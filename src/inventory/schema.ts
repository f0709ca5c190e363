import type { ErrorObject } from "ajv";
import schemaJson from "../../schema/inventory.schema.json" with { type: "json" };
// Generated at build time by scripts/build-validator.mjs.
import standaloneValidator from "./generated/schema-validator.js";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  enum?: unknown[];
  $ref?: string;
  anyOf?: JsonSchema[];
  description?: string;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minItems?: number;
  required?: string[];
  items?: JsonSchema;
  "x-expected"?: string;
  definitions?: Record<string, JsonSchema>;
  [key: string]: unknown;
};

/** The published draft-07 schema (also what editors use through the yaml-language-server comment). */
export const inventorySchema: JsonSchema = schemaJson as JsonSchema;

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The validator compiled at build time (scripts/build-validator.mjs) from the same schema. */
const compiled = standaloneValidator as unknown as Validator;

export function validateDocument(data: unknown): ErrorObject[] {
  return compiled(data) ? [] : [...(compiled.errors ?? [])];
}

/** Resolves a local $ref such as #/definitions/hostVars. */
export function deref(schema: JsonSchema): JsonSchema {
  let s = schema;
  while (s.$ref) {
    const name = s.$ref.replace("#/definitions/", "");
    const target = inventorySchema.definitions?.[name];
    if (!target) throw new Error(`schema: unresolved $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

export const hostVarsSchema: JsonSchema = deref({ $ref: "#/definitions/hostVars" });

/**
 * Fills every documented default into a merged host config: missing scalars get their default,
 * missing sections are created so their own defaults apply.
 */
export function applyDefaults(
  value: Record<string, unknown>,
  schema: JsonSchema = hostVarsSchema,
): void {
  for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
    const sub = deref(propSchema);
    // A default written beside a $ref (size: {$ref, default}) wins over the target's.
    const dflt = propSchema.default ?? sub.default;
    if (value[key] === undefined && dflt !== undefined) {
      value[key] = structuredClone(dflt);
    } else if (
      value[key] === undefined &&
      sub.type === "object" &&
      sub.properties &&
      !sub.required
    ) {
      value[key] = {};
    }
    const v = value[key];
    if (v && typeof v === "object" && !Array.isArray(v) && sub.properties) {
      applyDefaults(v as Record<string, unknown>, sub);
    }
  }
}
