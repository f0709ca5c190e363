import { defineFact, T } from "./kind.js";

/** Read-only check commands (a command resource's unless/onlyif) by id -> exit status. */
export const probes = defineFact({
  tags: ["probe"],
  empty: () => new Map<string, string>(),
  script: (checks) =>
    [...checks]
      .sort()
      .map(([id, probe]) => `( ${probe} ) >/dev/null 2>&1; printf 'probe${T}${id}${T}%s\\n' $?`),
  parse: (lines) => new Map(lines.map(([, id = "", code = ""]) => [id, Number(code)])),
  // A blank host has nothing the checks look for: every check fails.
  fresh: (checks) => new Map([...checks.keys()].map((id) => [id, 1])),
});
