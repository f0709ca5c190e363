// A DataConnector answering backup's and restore's scripts from a table: `exec` rules give text,
// `data` rules give the bytes a script prints (or consume what it is sent).
import { Readable, type Writable } from "node:stream";
import type { ExecResult } from "../../src/connector/types.js";
import type { DataConnector } from "../../src/ops/events.js";

export type DataRule = [
  match: string | RegExp,
  answer: { bytes?: Buffer; code?: number; stderr?: string; countsInput?: boolean },
];
export type ExecRule = [match: string | RegExp, answer: Partial<ExecResult>];

const hit = (m: string | RegExp, s: string) => (typeof m === "string" ? s.includes(m) : m.test(s));

export class FakeDataHost implements DataConnector {
  readonly name = "matrix";
  readonly scripts: string[] = [];
  readonly received: Buffer[] = [];
  constructor(
    readonly execRules: ExecRule[],
    readonly dataRules: DataRule[],
  ) {}

  async exec(script: string): Promise<ExecResult> {
    this.scripts.push(script);
    for (const [m, a] of this.execRules)
      if (hit(m, script)) return { code: 0, stdout: "", stderr: "", ...a };
    return { code: 0, stdout: "", stderr: "" };
  }

  async execData(
    script: string,
    io: { stdout?: Writable; stdin?: Readable },
  ): Promise<{ code: number; stderr: string }> {
    this.scripts.push(script);
    let got = 0;
    if (io.stdin)
      for await (const d of io.stdin) {
        this.received.push(d as Buffer);
        got += (d as Buffer).length;
      }
    const rule = this.dataRules.find(([m]) => hit(m, script));
    const answer = rule?.[1] ?? {};
    if (io.stdout && answer.bytes) {
      const out = io.stdout;
      await new Promise<void>((resolve) => {
        Readable.from([answer.bytes as Buffer])
          .on("end", resolve)
          .pipe(out, { end: false });
      });
    }
    // As `wc -c` on the host answers for an upload.
    return {
      code: answer.code ?? 0,
      stderr: answer.countsInput ? `${got}\n` : (answer.stderr ?? ""),
    };
  }
}
