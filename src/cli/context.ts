import type { Output } from "../views/output.js";

export interface CommonOptions {
  inventory: string;
  json: boolean;
  color: boolean;
  debug: boolean;
}

/** What every command receives: the parsed common options and the one output channel. */
export interface Context {
  inventoryFile: string;
  out: Output;
  debug: boolean;
}

/** A command's implementation: returns the process exit code. */
export type Action = (
  ctx: Context,
  options: Record<string, unknown>,
  args: string[],
) => Promise<number>;

/** Wraps an Action into a commander action handler (builds the Context, records the exit code). */
export type Runner = (action: Action) => (...args: unknown[]) => Promise<void>;
