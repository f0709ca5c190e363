import { q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { sha256 } from "../render/files.js";
import { type Change, change, type Resource, type Step } from "./types.js";

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
    "umask 077",
    `mkdir -p ${q(dir)}`,
    `t=$(mktemp ${q(`${dir}/.provision.XXXXXX`)})`,
    "trap 'rm -f \"$t\"' EXIT",
    `printf '%s' '${b64}' | openssl base64 -d -A > "$t"`,
    'fsync "$t" 2>/dev/null || sync',
    `chown ${q(`${owner}:${group}`)} "$t"`,
    `chmod ${q(mode)} "$t"`,
    `if [ -e ${q(path)} ]; then mkdir -p ${q(BACKUP_DIR + dir)} && cp -p ${q(path)} ${q(`${BACKUP_DIR}${path}`)}.$(date -u +%Y%m%dT%H%M%SZ); fi`,
    `mv -f "$t" ${q(path)}`,
    "trap - EXIT",
  ].join("\n");
}

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

  plan(facts: Facts): Change | null {
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

export class DirectoryResource implements Resource {
  readonly type = "directory";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly owner: string,
    readonly group: string,
    readonly mode: string,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.files.add(this.name);
  }

  plan(facts: Facts): Change | null {
    const cur = facts.files.get(this.name);
    const script = `mkdir -p ${q(this.name)} && chown ${q(`${this.owner}:${this.group}`)} ${q(this.name)} && chmod ${q(this.mode)} ${q(this.name)}`;
    const step: Step = { kind: "exec", description: `directory ${this.name}`, script };
    if (!cur) return change(this, "create", `${this.owner}:${this.group} ${this.mode}`, [step]);
    const diffs: string[] = [];
    if (cur.type !== "directory") diffs.push(`is a ${cur.type}, should be a directory`);
    if (cur.owner !== this.owner || cur.group !== this.group)
      diffs.push(`owner ${cur.owner}:${cur.group} -> ${this.owner}:${this.group}`);
    if (cur.mode !== this.mode) diffs.push(`mode ${cur.mode} -> ${this.mode}`);
    if (diffs.length === 0) return null;
    if (cur.type !== "directory") {
      return change(this, "update", diffs.join(", "), [], {
        error: `${this.name} exists but is a ${cur.type}, not a directory; move it away, then apply again`,
      });
    }
    return change(this, "update", diffs.join(", "), [step]);
  }
}
