// Resources compare facts with the desired state and yield a change only when they differ.
// plan() is pure: facts and desired state in, a Change (or null) out.
import type { FactRequest, Facts } from "../facts/types.js";

export type Action = "create" | "update" | "delete";

/** What apply does, in order. */
export type Step =
  | { kind: "exec"; description: string; script: string }
  | {
      kind: "write";
      description: string;
      path: string;
      content: string;
      owner: string;
      group: string;
      mode: string;
    };

export interface Change {
  /** "file /etc/resolv.conf", "pkg apache24", "service synapse" */
  address: string;
  type: string;
  name: string;
  recipe: string;
  action: Action;
  /** One line: what changes. */
  summary: string;
  /** Unified diff for files (never for sensitive ones). */
  diff?: string;
  /** The file holds secrets: content is never shown. */
  sensitive?: boolean;
  steps: Step[];
  /** Handlers this change triggers. */
  notify: string[];
  /** The change cannot be made automatically: the plan fails with this message. */
  error?: string;
  /** A current file to fetch for the diff (second round trip, only when something changed). */
  diffAgainst?: { path: string; desired: string };
}

export interface Resource {
  type: string;
  name: string;
  recipe: string;
  notify: string[];
  /** Adds the facts this resource needs. */
  request(req: FactRequest): void;
  /** Compares with facts; null when nothing has to change. */
  plan(facts: Facts): Change | null;
  /** A line the plan shows even without changes (e.g. a certificate's expiry). */
  note?(facts: Facts): string;
}

export function change(
  r: Resource,
  action: Action,
  summary: string,
  steps: Step[],
  extra: Partial<Change> = {},
): Change {
  return {
    address: `${r.type} ${r.name}`,
    type: r.type,
    name: r.name,
    recipe: r.recipe,
    action,
    summary,
    steps,
    notify: r.notify,
    ...extra,
  };
}
