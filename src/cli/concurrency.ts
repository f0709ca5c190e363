import { UserError } from "../errors.js";

/** `--concurrency N` as typed: a whole number of at least 1. */
export function parseConcurrency(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError("--concurrency takes a whole number of at least 1");
  return n;
}
