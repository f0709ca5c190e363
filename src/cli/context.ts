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

/**
 * A command's implementation: returns the process exit code. `O` is the command's own options
 * as commander parses them (an interface next to each command's run function).
 */
export type Action<O> = (ctx: Context, options: O, args: string[]) => Promise<number>;

/** Wraps an Action into a commander action handler (builds the Context, records the exit code). */
export type Runner = <O = Record<string, unknown>>(
  action: Action<O>,
) => (...args: unknown[]) => Promise<void>;
