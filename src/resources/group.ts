import { cmd } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, optional } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

/** A group, added with pw(8) when missing. */
export class GroupResource implements Resource {
  readonly type = "group";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly gid?: number,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.groups.add(this.name);
  }

  plan(facts: Facts): Planned {
    if (facts.groups.get(this.name)) return planned(null);
    const args = this.gid !== undefined ? ["-g", String(this.gid)] : [];
    return planned(
      change(this, "create", this.gid !== undefined ? `gid ${this.gid}` : "system group", [
        {
          kind: "exec",
          description: `pw groupadd ${this.name}`,
          script: cmd("pw", "groupadd", this.name, ...args),
        },
      ]),
    );
  }
}

export const groupType = defineResource({
  type: "group",
  name: "text",
  props: { gid: optional("integer") },
  build: (e, r) => [new GroupResource(r.text(e.name), e.recipe, e.props.gid, e.notify)],
});
