import { q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { sha256 } from "../util/hash.js";
import { defineResource, optional, required } from "./descriptor.js";
import { type Change, change, type Planned, planned, type Resource, type Step } from "./types.js";

/** Where replaced files are kept: outside config directories, so no daemon reads a backup. */
export const BACKUP_DIR = "/var/backups/provision";

/**
 * Atomic write: a temp file in the target's directory, fsync, owner and mode set, the current
 * file copied to BACKUP_DIR with a timestamp, then rename(2) over the target.
 */
export function writeScript(
  path: string,
  content: string,
  owner: string,
  group: string,
  mode: string,
): string {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const b64 = Buffer.from(content, "utf8").toString("base64");
  return [
    "set -e",
    // Missing parents are traversable (0755, as mkdir(1) makes them under the usual umask):
    // 0700 parents would hide e.g. /.well-known from Apache. Private directories are declared
    // as directory resources with their own mode.
    `(umask 022 && mkdir -p ${q(dir)})`,
    "umask 077",
    // A signal ends sh without its EXIT trap: each one exits through it, so a step ended mid-write
    // (the lock holder of a cut apply sends TERM to its group) leaves no temporary file behind.
    "t=; trap 'rm -f \"$t\"' EXIT",
    "trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM",
    `t=$(mktemp ${q(`${dir}/.provision.XXXXXX`)})`,
    `printf '%s' '${b64}' | openssl base64 -d -A > "$t"`,
    'fsync "$t" 2>/dev/null || sync',
    `chown ${q(`${owner}:${group}`)} "$t"`,
    `chmod ${q(mode)} "$t"`,
    `if [ -e ${q(path)} ]; then ${keepBackup("cp -p", path)}; fi`,
    `mv -f "$t" ${q(path)}`,
    "trap - EXIT HUP INT TERM",
  ].join("\n");
}

/** Puts `path` (or a copy, with `cp -p`) into BACKUP_DIR under its path and a UTC timestamp. */
function keepBackup(how: "cp -p" | "mv", path: string): string {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  return `(umask 077 && mkdir -p ${q(BACKUP_DIR + dir)}) && ${how} ${q(path)} ${q(`${BACKUP_DIR}${path}`)}.$(date -u +%Y%m%dT%H%M%SZ)`;
}

/** Removal: the file moves to BACKUP_DIR (kept, as a replaced file is), nothing is unlinked. */
export function removeScript(path: string): string {
  return ["set -e", `if [ -f ${q(path)} ]; then ${keepBackup("mv", path)}; fi`].join("\n");
}

/** A file rendered from a template, written atomically. */
export class FileResource implements Resource {
  readonly type = "file";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly content: string,
    readonly owner: string,
    readonly group: string,
    readonly mode: string,
    readonly sensitive: boolean,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.files.add(this.name);
  }

  plan(facts: Facts): Planned {
    return planned(this.compare(facts));
  }

  planRemoval(facts: Facts): Planned {
    const cur = facts.files.get(this.name);
    if (!cur) return planned(null);
    const c = change(this, "delete", `remove (kept in ${BACKUP_DIR})`, [
      {
        kind: "exec",
        description: `move ${this.name} to ${BACKUP_DIR}`,
        script: removeScript(this.name),
      },
    ]);
    // Only a regular file is provision's to take away; anything else there is left alone.
    if (cur.type !== "file")
      return {
        change: null,
        diagnostics: [
          { severity: "warning", summary: `${c.address}: is a ${cur.type}, left in place` },
        ],
      };
    return planned(this.sensitive ? { ...c, sensitive: true } : c);
  }

  private compare(facts: Facts): Change | null {
    const cur = facts.files.get(this.name);
    const write: Step = {
      kind: "write",
      description: `write ${this.name} (${this.owner}:${this.group} ${this.mode})`,
      path: this.name,
      content: this.content,
      owner: this.owner,
      group: this.group,
      mode: this.mode,
    };
    const extra = this.sensitive ? { sensitive: true } : {};
    if (!cur)
      return change(this, "create", `${this.owner}:${this.group} ${this.mode}`, [write], extra);
    const diffs: string[] = [];
    const contentChanged = cur.type !== "file" || cur.sha256 !== sha256(this.content);
    if (contentChanged)
      diffs.push(cur.type !== "file" ? `is a ${cur.type}, should be a file` : "content");
    if (cur.owner !== this.owner || cur.group !== this.group)
      diffs.push(`owner ${cur.owner}:${cur.group} -> ${this.owner}:${this.group}`);
    if (cur.mode !== this.mode) diffs.push(`mode ${cur.mode} -> ${this.mode}`);
    if (diffs.length === 0) return null;
    const steps: Step[] = contentChanged
      ? [write]
      : [
          {
            kind: "exec",
            description: `set ${this.name} to ${this.owner}:${this.group} ${this.mode}`,
            script: `chown ${q(`${this.owner}:${this.group}`)} ${q(this.name)} && chmod ${q(this.mode)} ${q(this.name)}`,
          },
        ];
    return change(this, "update", diffs.join(", "), steps, {
      ...extra,
      ...(contentChanged && cur.type === "file" // sensitive files get a masked diff
        ? { diffAgainst: { path: this.name, desired: this.content } }
        : {}),
    });
  }
}

export const fileType = defineResource({
  type: "file",
  name: "text",
  props: {
    template: required("text"),
    owner: required("text"),
    group: required("text"),
    mode: required("text"),
    /** Holds secrets: never diffed or shown. */
    sensitive: optional("boolean"),
  },
  build: (e, r) => [
    new FileResource(
      r.text(e.name),
      e.recipe,
      r.template(String(e.props.template)),
      r.text(e.props.owner),
      r.text(e.props.group),
      r.text(e.props.mode),
      e.props.sensitive === true,
      e.notify,
    ),
  ],
});
