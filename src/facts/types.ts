// Facts: what a read-only probe of the host found. Each kind is one file (see kind.ts and
// registry.ts); Facts and FactRequest are derived from the registry. Resources and guards
// compare facts with the desired state; tests build them by hand or from probe output.
import type { FactKind } from "./kind.js";
import { type AnyFactKind, FACT_KINDS, FACT_NAMES, type FactKinds } from "./registry.js";

export type { CertFact } from "./certs.js";
export type { FileFact } from "./files.js";
export type { GroupFact } from "./groups.js";
export type { OsFact } from "./os.js";
export type { PgDatabaseFact, PgRoleFact, PostgresFact } from "./postgres.js";
export type { ServiceFact } from "./services.js";
export type { SynapseFact } from "./synapse.js";
export type { UserFact } from "./users.js";

type ValueOf<K> = K extends FactKind<infer _R, infer V> ? V : never;
type RequestOf<K> = K extends FactKind<infer R, infer _V> ? R : never;

/** Everything the probe found, one entry per fact kind. */
export type Facts = { -readonly [N in keyof FactKinds]: ValueOf<FactKinds[N]> };

/** What a set of resources and guards needs to know; gathered in one batched script. */
export type FactRequest = { -readonly [N in keyof FactKinds]: RequestOf<FactKinds[N]> };

function each<T>(fn: (kind: AnyFactKind, name: keyof FactKinds) => unknown): T {
  return Object.fromEntries(
    FACT_NAMES.map((name) => [name, fn(FACT_KINDS[name] as AnyFactKind, name)]),
  ) as T;
}

export function emptyRequest(): FactRequest {
  return each<FactRequest>((kind) => kind.empty());
}

/** Facts of a blank FreeBSD host: what `plan --assume-fresh` plans against. */
export function freshFacts(req: FactRequest): Facts {
  return each<Facts>((kind, name) => kind.fresh(req[name]));
}
