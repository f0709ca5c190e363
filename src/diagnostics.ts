// One shape for every problem the tool reports, so the human and --json views render the same data.
export type Severity = "error" | "warning";

export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

export interface Range {
  file: string;
  start: Position;
  end: Position;
}

export interface Diagnostic {
  severity: Severity;
  /** One line: what is wrong and what is expected. */
  summary: string;
  /** Optional extra help: what to do next. */
  detail?: string;
  /** Dotted path inside the inventory, e.g. all.hosts.matrix.public_ipv4. */
  path?: string;
  range?: Range;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** Stable order: by file, line, column, then message; duplicates (same place, same text) dropped. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const key = `${d.range?.file}:${d.range?.start.line}:${d.range?.start.column}:${d.summary}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort((a, b) => {
    const fa = a.range?.file ?? "";
    const fb = b.range?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.range?.start.line ?? 0;
    const lb = b.range?.start.line ?? 0;
    if (la !== lb) return la - lb;
    const ca = a.range?.start.column ?? 0;
    const cb = b.range?.start.column ?? 0;
    if (ca !== cb) return ca - cb;
    return a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0;
  });
}
