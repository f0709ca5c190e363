// A Connector that records every script sent and answers from a scripted table (first match
// wins, anything else succeeds silently), and helpers to build upgrade sessions on it.
import type { Connector, ExecResult } from "../../src/connector/types.js";
import { PATHS } from "../../src/freebsd/paths.js";
import type { UpgradeEvent } from "../../src/upgrade/events.js";
import type { UpgradeSession } from "../../src/upgrade/session.js";

export type Rule = [match: string | RegExp, answer: Partial<ExecResult>];

export class FakeConnector implements Connector {
  readonly name = "matrix";
  readonly scripts: string[] = [];
  roundTrips = 0;
  constructor(readonly rules: Rule[] = []) {}

  async exec(script: string): Promise<ExecResult> {
    this.scripts.push(script);
    this.roundTrips++;
    for (const [match, answer] of this.rules)
      if (typeof match === "string" ? script.includes(match) : match.test(script))
        return { code: 0, stdout: "", stderr: "", ...answer };
    return { code: 0, stdout: "", stderr: "" };
  }

  async close(): Promise<void> {}

  /** Scripts sent that contain `text`. */
  sent(text: string | RegExp): string[] {
    return this.scripts.filter((s) => (typeof text === "string" ? s.includes(text) : text.test(s)));
  }
}

/** The answer of the state probe (readState): a host running `installed`, optionally mid-upgrade. */
export function stateAnswer(o: {
  installed?: number;
  running?: boolean;
  phase?: string;
  params?: string;
  dirs?: string[];
  dataKb?: number;
  freeKb?: number;
}): Rule {
  const lines = [
    `installed ${o.installed ?? ""}`,
    ...(o.running === false ? [] : ["running"]),
    ...(o.phase ? [`phase ${o.phase}`] : []),
    ...(o.params ? [`params ${o.params}`] : []),
    ...(o.dirs ?? [`${PATHS.postgresHome}/data${o.installed ?? 13}`]).map(
      (d) => `datadir ${o.dataKb ?? 1000} ${d}`,
    ),
    `datafs ${o.freeKb ?? 1_000_000} /`,
    `dumpfs ${o.freeKb ?? 1_000_000} /`,
  ];
  return ["pkg query -g '%n' 'postgresql*-server'", { stdout: `${lines.join("\n")}\n` }];
}

export function session(
  conn: FakeConnector,
  answer = true,
): UpgradeSession & { events: UpgradeEvent[]; questions: string[] } {
  const events: UpgradeEvent[] = [];
  const questions: string[] = [];
  return {
    conn,
    host: "matrix",
    emit: (e) => events.push(e),
    confirm: async (question) => {
      questions.push(question);
      return answer;
    },
    stateDir: PATHS.upgradeStateDir,
    events,
    questions,
  };
}
