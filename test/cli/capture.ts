import { PassThrough } from "node:stream";
import { Output } from "../../src/views/output.js";

/** An Output whose standard output and error are collected as text, for view tests. */
export function captureOutput(json: boolean, version = "1.2.3") {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: "", err: "" };
  stdout.on("data", (d: Buffer) => {
    text.out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    text.err += d.toString();
  });
  return { out: new Output({ json, color: false, version }, stdout, stderr), text };
}

/** Parses an NDJSON stream; every line must be one event. */
export function parseEvents(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
