// A fact kind pairs what the probe asks (a read-only shell fragment) with how its answer is read
// (a line parser) and what a blank FreeBSD host would answer, as pyinfra's FactBase pairs
// command() with process(). The registry (registry.ts) lists the kinds; Facts and FactRequest
// are derived from it.

/** Field separator of the probe's answer lines: TAG<TAB>field<TAB>field... */
export const T = "\t";

export interface FactKind<Req, Value> {
  /** The first field of every line this kind's fragment prints; unique across kinds. */
  readonly tags: readonly string[];
  /** What nobody asked for yet (resources and guards add to it). */
  empty(): Req;
  /** Shell lines of the probe script: read-only, never failing the script. [] asks nothing. */
  script(req: Req): string[];
  /** The answer, from the lines carrying this kind's tags (split on tabs, tag first). */
  parse(lines: readonly string[][], req: Req): Value;
  /** What a blank FreeBSD host would answer (`plan --assume-fresh`). */
  fresh(req: Req): Value;
}

/** Identity, for type inference of Req and Value. */
export function defineFact<Req, Value>(kind: FactKind<Req, Value>): FactKind<Req, Value> {
  return kind;
}
