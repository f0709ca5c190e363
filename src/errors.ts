import type { Diagnostic } from "./diagnostics.js";

/**
 * A problem caused by the user's input or environment, not by a bug: printed as a clear
 * message (never a stack trace unless --debug) and exit code 1.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly diagnostics: Diagnostic[];
  constructor(message: string, options: { hint?: string; diagnostics?: Diagnostic[] } = {}) {
    super(message);
    this.name = "UserError";
    this.hint = options.hint;
    this.diagnostics = options.diagnostics ?? [];
  }
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** --detailed-exitcode: the plan has changes. */
export const EXIT_CHANGES = 2;
