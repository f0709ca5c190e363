// One batched, read-only script collects every fact a plan needs: one exec round trip. Each
// fact kind contributes its fragment and reads back the lines carrying its tags.

import type { Connector } from "../connector/types.js";
import { UserError } from "../errors.js";
import { T } from "./kind.js";
import { type AnyFactKind, FACT_KINDS, FACT_NAMES } from "./registry.js";
import type { FactRequest, Facts } from "./types.js";

const kind = (name: keyof typeof FACT_KINDS) => FACT_KINDS[name] as AnyFactKind;

/**
 * The probe script. Read-only: it only lists, stats, hashes and queries. Each kind's fragment
 * runs in its own background subshell (they are independent; the host's cores and the waits on
 * rc scripts and psql overlap), its answer kept in its own file and printed in kind order. A
 * missing answer fails the probe: never read as "absent".
 */
export function factScript(req: FactRequest): string {
  const fragments = FACT_NAMES.map((name) => kind(name).script(req[name])).filter(
    (lines) => lines.length > 0,
  );
  const answers = fragments.map((_, i) => `"$_probe/${i}"`).join(" ");
  return [
    "_probe=$(mktemp -d) || exit 1",
    ...fragments.flatMap((lines, i) => ["(", ...lines, `) > "$_probe/${i}" &`]),
    "wait",
    `cat ${answers} || { rm -rf "$_probe"; exit 1; }`,
    'rm -rf "$_probe"',
    "exit 0",
    "",
  ].join("\n");
}

export function parseFacts(out: string, req: FactRequest): Facts {
  const byTag = new Map<string, string[][]>();
  for (const line of out.split("\n")) {
    const fields = line.split(T);
    const tag = fields[0] ?? "";
    if (fields.length < 2) continue;
    const seen = byTag.get(tag);
    if (seen) seen.push(fields);
    else byTag.set(tag, [fields]);
  }
  return Object.fromEntries(
    FACT_NAMES.map((name) => {
      const k = kind(name);
      const lines = k.tags.flatMap((t) => byTag.get(t) ?? []);
      return [name, k.parse(lines, req[name])];
    }),
  ) as Facts;
}

/** Runs the probe (one round trip) and refuses anything that is not FreeBSD. */
export async function gatherFacts(conn: Connector, req: FactRequest): Promise<Facts> {
  const r = await conn.exec(factScript(req), { timeoutMs: 120_000 });
  if (r.code !== 0) {
    throw new UserError(
      `host ${conn.name}: gathering facts failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" ")}`,
      {
        hint: "Check that the login user can run commands as root (ssh.become).",
      },
    );
  }
  const facts = parseFacts(r.stdout, req);
  if (facts.os.system !== "FreeBSD") {
    throw new UserError(
      `host ${conn.name} runs ${facts.os.system || "an unknown system"}, not FreeBSD: refusing to touch it`,
      {
        hint: "provision manages FreeBSD 14 and 15 hosts only; check the host's address in the inventory.",
      },
    );
  }
  return facts;
}
