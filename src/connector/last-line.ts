// The last complete, non-empty output line of a running command, per stream: what a progress
// line shows while a long step (a pip build) runs.
import { StringDecoder } from "node:string_decoder";

/** Returns a feeder for output chunks; `report` gets each newest complete line. */
export function lastLineTracker(
  report: (line: string) => void,
): (chunk: Buffer, stream: string) => void {
  const partial = new Map<string, { decoder: StringDecoder; text: string }>();
  return (chunk, stream) => {
    const s = partial.get(stream) ?? { decoder: new StringDecoder("utf8"), text: "" };
    partial.set(stream, s);
    // A UTF-8 character split between chunks is held back by the decoder.
    const parts = (s.text + s.decoder.write(chunk)).split(/\r?\n|\r/);
    s.text = parts.pop() ?? "";
    for (let i = parts.length - 1; i >= 0; i--) {
      const line = (parts[i] ?? "").trim();
      if (line) {
        report(line);
        return;
      }
    }
  };
}
