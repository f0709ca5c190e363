// Resources compare facts with the desired state and yield a change only when they differ.
// plan() is pure: facts, the planning state and the desired state in; a Change (or null) and
// diagnostics out. Nothing is mutated, nothing random is drawn.
import type { Diagnostic } from "../diagnostics.js";
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
  /** A current file to fetch for the diff (second round trip, only when something changed). */
  diffAgainst?: { path: string; desired: string };
  /** The resource declares that it changes the firewall (recipes: `firewall: true`). */
  firewall?: boolean;
  /** An existing path whose owner this change would replace (guards check whose it is). */
  reowns?: { path: string; from: string; to: string };
  /** An existing directory the inventory named whose mode this change would replace (from: "owner:group mode"). */
  remodes?: { path: string; from: string; to: string };
  /** A recipe's handler: its name (apply records it due when notified, done when it ran). */
  handler?: string;
}

/**
 * What earlier changes of the same plan will have done by the time this resource applies
 * (facts describe the host before the plan). Threaded through the plan in order.
 */
export interface PlanState {
  /** pkg(8) is bootstrapped, or an earlier change bootstraps it. */
  pkgReady: boolean;
}

export function initialState(facts: Facts): PlanState {
  return { pkgReady: facts.pkgReady };
}

export interface Planned {
  change: Change | null;
  /** Problems the plan must show; an error stops apply. Summaries name the resource. */
  diagnostics: Diagnostic[];
  /** The planning state after this change (only what it alters). */
  state?: Partial<PlanState>;
}

export interface Resource {
  type: string;
  name: string;
  recipe: string;
  notify: string[];
  /** Declared in the recipe: this resource changes the firewall. */
  firewall?: boolean;
  /** Adds the facts this resource needs. */
  request(req: FactRequest): void;
  /** Compares with facts; no change when nothing differs. Pure. */
  plan(facts: Facts, state: Readonly<PlanState>): Planned;
  /** A line the plan shows even without changes (e.g. a certificate's expiry). */
  note?(facts: Facts): string | undefined;
  /**
   * The change that takes away what this resource put in place (recipes: `remove: true` with a
   * false `when:`), or none when it is already gone. Types without it cannot be removed.
   */
  planRemoval?(facts: Facts): Planned;
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
    ...(r.firewall ? { firewall: true } : {}),
    ...extra,
  };
}

/** A plan result with just this change (or none). */
export function planned(c: Change | null): Planned {
  return { change: c, diagnostics: [] };
}

/** The change cannot be made automatically: it is shown, and the plan fails with this message. */
export function refused(c: Change, message: string): Planned {
  return { change: c, diagnostics: [{ severity: "error", summary: `${c.address}: ${message}` }] };
}
