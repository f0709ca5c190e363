import { createTwoFilesPatch } from "diff";
import { q } from "../connector/quote.js";
import type { Connector } from "../connector/types.js";
import type { Change } from "../resources/types.js";
import { knownSecrets } from "../secrets/redact.js";
import { maskSecrets } from "./mask.js";

const MARK = "@@provision-file@@";

/**
 * Fetches the current content of changed files in one round trip and attaches unified diffs,
 * with secret values masked in files that hold secrets. Only runs when something changed, so a
 * no-op plan never pays for it.
 */
export async function attachDiffs(conn: Connector | undefined, changes: Change[]): Promise<void> {
  const wanted = changes.filter((c) => c.diffAgainst);
  if (wanted.length === 0) return;
  const current = new Map<string, string>();
  if (conn) {
    const script = wanted
      .map(
        (c) =>
          `printf '%s\\n' ${q(`${MARK} ${c.diffAgainst?.path}`)}; cat ${q(c.diffAgainst?.path as string)} 2>/dev/null | openssl base64`,
      )
      .join("\n");
    const r = await conn.exec(script);
    let path: string | undefined;
    let b64 = "";
    const flush = () => {
      if (path !== undefined) current.set(path, Buffer.from(b64, "base64").toString("utf8"));
    };
    for (const line of r.stdout.split("\n")) {
      if (line.startsWith(`${MARK} `)) {
        flush();
        path = line.slice(MARK.length + 1);
        b64 = "";
      } else {
        b64 += line.trim();
      }
    }
    flush();
  }
  for (const c of wanted) {
    const d = c.diffAgainst as { path: string; desired: string };
    const old = current.get(d.path);
    delete c.diffAgainst;
    if (old === undefined) continue;
    const shown = c.sensitive
      ? maskSecrets(old, d.desired, knownSecrets())
      : { current: old, planned: d.desired };
    if (!shown) continue;
    // Names only, never values: a secret changed in the store (or on the host) since the last apply.
    if ("changed" in shown && shown.changed.length > 0) {
      c.summary += `; secret values change: ${shown.changed.join(", ")}`;
    }
    c.diff = createTwoFilesPatch(
      d.path,
      d.path,
      shown.current,
      shown.planned,
      "current",
      "planned",
      {
        context: 3,
      },
    )
      .split("\n")
      .slice(2)
      .join("\n")
      .trimEnd();
  }
}
