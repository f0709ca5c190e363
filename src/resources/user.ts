import { cmd } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, required } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

/** A system user without a password (pw -w no) and, by default, no login shell. */
export class UserResource implements Resource {
  readonly type = "user";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly group: string,
    readonly home: string,
    readonly shell: string,
    readonly comment: string,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.users.add(this.name);
  }

  plan(facts: Facts): Planned {
    const cur = facts.users.get(this.name);
    if (!cur) {
      const add = cmd(
        "pw",
        "useradd",
        this.name,
        "-g",
        this.group,
        "-d",
        this.home,
        "-s",
        this.shell,
        "-c",
        this.comment,
        "-w",
        "no",
      );
      return planned(
        change(this, "create", `group ${this.group}, home ${this.home}, shell ${this.shell}`, [
          { kind: "exec", description: `pw useradd ${this.name}`, script: add },
        ]),
      );
    }
    if (cur.shell === this.shell && cur.home === this.home) return planned(null);
    return planned(
      change(
        this,
        "update",
        `shell ${cur.shell} -> ${this.shell}, home ${cur.home} -> ${this.home}`,
        [
          {
            kind: "exec",
            description: `pw usermod ${this.name}`,
            script: cmd("pw", "usermod", this.name, "-d", this.home, "-s", this.shell),
          },
        ],
      ),
    );
  }
}

export const userType = defineResource({
  type: "user",
  name: "text",
  props: {
    group: required("text"),
    home: required("text"),
    shell: required("text"),
    comment: required("text"),
  },
  build: (e, r) => [
    new UserResource(
      r.text(e.name),
      e.recipe,
      r.text(e.props.group),
      r.text(e.props.home),
      r.text(e.props.shell),
      r.text(e.props.comment),
      e.notify,
    ),
  ],
});
