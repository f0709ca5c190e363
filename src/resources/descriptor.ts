// A resource type is one file exporting a descriptor: the shape of its recipe entry (the value
// of the key that names the type, and its other keys) and the builder that turns an entry into
// resources for one host. recipes/load.ts checks entries against the shape, with positions.
import type { Resource } from "./types.js";

/** What a recipe value may be. `text` may hold {{placeholders}} (numbers are written as text). */
export interface ValueTypes {
  text: string | number;
  integer: number;
  boolean: boolean;
  texts: (string | number)[];
  /** A mapping of names to texts (sysrc). */
  textMap: Record<string, string | number>;
  /** A text or a list of texts (pkg). */
  textOrTexts: string | number | (string | number)[];
}
export type ValueKind = keyof ValueTypes;

export interface PropSpec<K extends ValueKind = ValueKind> {
  kind: K;
  required: boolean;
}
export type PropsSpec = Record<string, PropSpec>;

export const required = <K extends ValueKind>(kind: K) => ({ kind, required: true as const });
export const optional = <K extends ValueKind>(kind: K) => ({ kind, required: false as const });

type RequiredKeys<S extends PropsSpec> = {
  [k in keyof S]: S[k] extends { required: true } ? k : never;
}[keyof S];
/** The typed props of an entry as its spec declares them. */
export type Props<S extends PropsSpec> = { [k in RequiredKeys<S>]: ValueTypes[S[k]["kind"]] } & {
  [k in Exclude<keyof S, RequiredKeys<S>>]?: ValueTypes[S[k]["kind"]];
};

/** Keys every entry may have, whatever its type. */
export const COMMON_PROPS = {
  /** Handlers of the same recipe this resource triggers when it changes. */
  notify: optional("texts"),
  /** A dotted context path: the resource exists only when it is true. */
  when: optional("text"),
  /** The resource changes the firewall: firewall guards check the plan. */
  firewall: optional("boolean"),
} satisfies PropsSpec;

/** Renders recipe values for one host. */
export interface Renderer {
  /** {{placeholders}} of a recipe value, rendered. */
  text(value: string | number): string;
  /** A template file (templates/NAME), rendered. */
  template(name: string): string;
  /** A secret's value from the store ("" when absent: checks report it before planning). */
  secret(name: string): string;
}

export interface Entry<N extends ValueKind, S extends PropsSpec> {
  name: ValueTypes[N];
  props: Props<S>;
  recipe: string;
  notify: string[];
}

export interface ResourceType<N extends ValueKind = ValueKind, S extends PropsSpec = PropsSpec> {
  /** The recipe key naming the type: `file: PATH`. */
  type: string;
  /** What the type key's value is. */
  name: N;
  /** The entry's other keys (COMMON_PROPS are always allowed). */
  props: S;
  build(entry: Entry<N, S>, render: Renderer): Resource[];
}

/** Identity, for type inference of the entry's shape in build(). */
export function defineResource<N extends ValueKind, S extends PropsSpec>(
  t: ResourceType<N, S>,
): ResourceType<N, S> {
  return t;
}

/** Why a value does not fit its kind, or undefined when it does. */
export function checkValue(kind: ValueKind, v: unknown): string | undefined {
  const isText = (x: unknown) => typeof x === "string" || typeof x === "number";
  switch (kind) {
    case "text":
      return isText(v) ? undefined : "expected a string";
    case "integer":
      return Number.isInteger(v) ? undefined : "expected an integer";
    case "boolean":
      return typeof v === "boolean" ? undefined : "expected true or false";
    case "texts":
      return Array.isArray(v) && v.every(isText) ? undefined : "expected a list of strings";
    case "textOrTexts":
      return isText(v) || (Array.isArray(v) && v.length > 0 && v.every(isText))
        ? undefined
        : "expected a string or a list of strings";
    case "textMap":
      return v !== null &&
        typeof v === "object" &&
        !Array.isArray(v) &&
        Object.keys(v).length > 0 &&
        Object.values(v).every(isText)
        ? undefined
        : "expected a mapping of names to strings";
  }
}
