import { q } from "../connector/quote.js";
import { recordCreatedDir } from "../facts/created-dirs.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, optional, required } from "./descriptor.js";
import { change, type Planned, planned, type Resource, refused } from "./types.js";

/**
 * A directory with its owner and mode. One it creates is recorded on the host (created-dirs),
 * so a later owner change can tell provision's directories from everyone else's (a guard
 * refuses to re-own the others). A directory whose path the inventory names (`inventory_path:
 * true`) may be an operator's existing one: its mode is not changed either unless provision made it.
 */
export class DirectoryResource implements Resource {
  readonly type = "directory";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly owner: string,
    readonly group: string,
    readonly mode: string,
    readonly notify: string[] = [],
    readonly inventoryPath = false,
  ) {}

  request(req: FactRequest): void {
    req.files.add(this.name);
  }

  plan(facts: Facts): Planned {
    const cur = facts.files.get(this.name);
    const own = `${this.owner}:${this.group}`;
    const setOwner = `chown ${q(own)} ${q(this.name)} && chmod ${q(this.mode)} ${q(this.name)}`;
    if (!cur) {
      // The plan found it missing: it is provision's from now on, whoever runs mkdir first.
      const script = ["set -e", `mkdir -p ${q(this.name)}`, recordCreatedDir(this.name), setOwner];
      return planned(
        change(this, "create", `${own} ${this.mode}`, [
          { kind: "exec", description: `directory ${this.name}`, script: script.join("\n") },
        ]),
      );
    }
    const diffs: string[] = [];
    if (cur.type !== "directory") diffs.push(`is a ${cur.type}, should be a directory`);
    const current = `${cur.owner}:${cur.group}`;
    if (current !== own) diffs.push(`owner ${current} -> ${own}`);
    if (cur.mode !== this.mode) diffs.push(`mode ${cur.mode} -> ${this.mode}`);
    if (diffs.length === 0) return planned(null);
    if (cur.type !== "directory") {
      return refused(
        change(this, "update", diffs.join(", "), []),
        `${this.name} exists but is a ${cur.type}, not a directory; move it away, then apply again`,
      );
    }
    const step = { kind: "exec" as const, description: `directory ${this.name}`, script: setOwner };
    return planned(
      change(this, "update", diffs.join(", "), [step], {
        ...(current !== own ? { reowns: { path: this.name, from: current, to: own } } : {}),
        ...(this.inventoryPath && cur.mode !== this.mode
          ? { remodes: { path: this.name, from: `${current} ${cur.mode}`, to: this.mode } }
          : {}),
      }),
    );
  }
}

export const directoryType = defineResource({
  type: "directory",
  name: "text",
  props: {
    owner: required("text"),
    group: required("text"),
    mode: required("text"),
    /** The path comes from the inventory: an existing directory keeps its mode unless provision made it. */
    inventory_path: optional("boolean"),
  },
  build: (e, r) => [
    new DirectoryResource(
      r.text(e.name),
      e.recipe,
      r.text(e.props.owner),
      r.text(e.props.group),
      r.text(e.props.mode),
      e.notify,
      e.props.inventory_path === true,
    ),
  ],
});
