import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { Diagnostic, Position, Range } from "../diagnostics.js";
import { readBoundedFile } from "../util/files.js";

/** A parsed inventory file that can turn any node or offset back into FILE:LINE:COL. */
export class Source {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  position(offset: number): Position {
    const { line, col } = this.lines.linePos(Math.min(offset, this.text.length));
    return { line, column: col };
  }

  rangeOf(offsets: readonly [number, number, ...number[]] | undefined): Range {
    const [start, end] = offsets ?? [0, 0];
    return { file: this.file, start: this.position(start), end: this.position(end) };
  }

  /** The node at a path of keys/indices, or undefined. */
  nodeAt(path: readonly (string | number)[]): Node | undefined {
    if (path.length === 0) return (this.doc.contents as Node | null) ?? undefined;
    const node = this.doc.getIn(path, true);
    return node && typeof node === "object" ? (node as Node) : undefined;
  }

  /** The key node of the last path element inside its parent mapping. */
  keyNodeAt(path: readonly (string | number)[]): Node | undefined {
    const parent = this.nodeAt(path.slice(0, -1));
    const last = path[path.length - 1];
    if (!isMap(parent)) return undefined;
    for (const item of parent.items) {
      if (isPair(item) && isScalar(item.key) && item.key.value === last) return item.key;
    }
    return undefined;
  }

  /** Best range for a path: the node itself, else its nearest ancestor that exists. */
  rangeAt(path: readonly (string | number)[], preferKey = false): Range {
    if (preferKey) {
      const key = this.keyNodeAt(path);
      if (key?.range) return this.rangeOf(key.range);
    }
    for (let n = path.length; n >= 0; n--) {
      const node = this.nodeAt(path.slice(0, n));
      if (node?.range) {
        // A null value (e.g. "hosts:" with nothing after) has an empty range; point at its key.
        if (node.range[0] === node.range[1] && n > 0) {
          const key = this.keyNodeAt(path.slice(0, n));
          if (key?.range) return this.rangeOf(key.range);
        }
        return this.rangeOf(node.range);
      }
      if (n > 0) {
        const key = this.keyNodeAt(path.slice(0, n));
        if (key?.range) return this.rangeOf(key.range);
      }
    }
    return this.rangeOf([0, 0]);
  }
}

export type ReadResult =
  | { source: Source; diagnostics: Diagnostic[] }
  | { source?: undefined; diagnostics: Diagnostic[] };

function fileError(file: string, summary: string, detail?: string): Diagnostic {
  const d: Diagnostic = {
    severity: "error",
    summary,
    range: { file, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
  };
  if (detail) d.detail = detail;
  return d;
}

/** Reads and parses an inventory; every failure becomes a diagnostic, never an exception. */
export function readInventorySource(file: string): ReadResult {
  let bytes: Buffer;
  try {
    bytes = readBoundedFile(file, MAX_INVENTORY_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a file"
          : code === "EACCES"
            ? "permission denied"
            : ((err as Error).message ?? String(err));
    return {
      diagnostics: [
        fileError(
          file,
          `cannot read inventory: ${why}`,
          "Pass the inventory with -i FILE (default ./inventory.yaml); inventory.example.yaml is a starting point.",
        ),
      ],
    };
  }
  if (bytes.includes(0)) {
    return {
      diagnostics: [
        fileError(
          file,
          "inventory is a binary file (it contains NUL bytes), expected YAML text",
          "Check that -i points at the inventory, not at the encrypted secrets store or another file.",
        ),
      ],
    };
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const bad = firstInvalidUtf8(text, bytes);
  const lines = new LineCounter();
  if (bad !== undefined) {
    const before = text.slice(0, bad);
    const line = before.split("\n").length;
    const column = bad - before.lastIndexOf("\n");
    return {
      diagnostics: [
        {
          severity: "error",
          summary: "inventory is not valid UTF-8 text",
          detail: "Save the file as UTF-8.",
          range: { file, start: { line, column }, end: { line, column } },
        },
      ],
    };
  }
  if (text.trim() === "") {
    return {
      diagnostics: [
        fileError(
          file,
          "inventory is empty, expected a mapping with a top-level 'all:' key",
          "Start from inventory.example.yaml.",
        ),
      ],
    };
  }
  // YAML 1.2 core schema whatever the file says: no 1.1 octals, sexagesimals, yes/on booleans,
  // merge keys or !!binary/!!timestamp values.
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    version: "1.2",
    schema: "core",
    resolveKnownTags: false,
  });
  const source = new Source(file, text, doc, lines);
  const diagnostics: Diagnostic[] = [];
  const directive = /^%YAML[ \t]+(\S+)/m.exec(text);
  if (directive && directive[1] !== "1.2") {
    diagnostics.push({
      severity: "error",
      summary: `inventories are YAML 1.2; the directive '%YAML ${directive[1]}' would change what values mean (022, 3:00, yes, <<)`,
      detail: "Remove the %YAML line and write the values as YAML 1.2 reads them.",
      range: source.rangeOf([directive.index, directive.index + directive[0].length]),
    });
  }
  for (const e of [...doc.errors, ...doc.warnings]) {
    diagnostics.push({
      // An unknown tag would silently become a plain string: refuse it.
      severity: e.name === "YAMLWarning" && e.code !== "TAG_RESOLVE_FAILED" ? "warning" : "error",
      summary: yamlMessage(e.code, e.message, text.slice(e.pos[0])),
      range: source.rangeOf(e.pos),
    });
  }
  if (diagnostics.some((d) => d.severity === "error")) return { source, diagnostics };
  if (!isMap(doc.contents)) {
    const what = isSeq(doc.contents)
      ? "a list"
      : isScalar(doc.contents)
        ? "a single value"
        : "nothing";
    diagnostics.push({
      severity: "error",
      summary: `inventory must be a mapping with a top-level 'all:' key, found ${what}`,
      detail: "Start from inventory.example.yaml.",
      range: source.rangeOf(doc.contents?.range),
    });
  }
  return { source, diagnostics };
}

/** Inventories are small; this bounds a read of a device or a huge file passed by mistake. */
const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;

/**
 * The index in `text` (decoded without `fatal`) of the first U+FFFD that stands for invalid
 * bytes, not for a U+FFFD written in the file (EF BF BD), or undefined when the bytes are UTF-8.
 */
function firstInvalidUtf8(text: string, bytes: Buffer): number | undefined {
  let at = text.indexOf("\uFFFD");
  if (at === -1) return undefined;
  // TextDecoder drops a leading byte order mark from the text, not from the bytes.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let offset = bom + Buffer.byteLength(text.slice(0, at));
  while (at !== -1) {
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) {
      return at;
    }
    const next = text.indexOf("\uFFFD", at + 1);
    if (next === -1) return undefined;
    offset += 3 + Buffer.byteLength(text.slice(at + 1, next));
    at = next;
  }
  return undefined;
}

/** yaml's messages end with a code excerpt; keep the first sentence and say it plainly. */
function yamlMessage(code: string, message: string, at: string): string {
  const first = (message.split("\n")[0] ?? message)
    .replace(/ at line \d+, column \d+:?$/, "")
    .trim();
  switch (code) {
    case "DUPLICATE_KEY": {
      const key = /^["']?([^"':\n]*)/.exec(at)?.[1]?.trim() ?? "";
      return `duplicate key '${key}': each key may appear only once in a mapping`;
    }
    case "TAG_RESOLVE_FAILED":
      return `${first}; plain YAML values only (secrets are referenced as { secret: NAME })`;
    case "TAB_AS_INDENT":
      return "tab used for indentation; YAML indents with spaces";
    default:
      return `YAML syntax error: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
  }
}

export { Document };
