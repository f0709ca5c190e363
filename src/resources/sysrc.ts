import { cmd } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource } from "./descriptor.js";
import { change, type Planned, planned, type Resource, type Step } from "./types.js";

/** An rc.conf variable, set with sysrc(8). */
export class SysrcResource implements Resource {
  readonly type = "sysrc";
  constructor(
    readonly name: string,
    readonly value: string,
    readonly recipe: string,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.rc.add(this.name);
  }

  plan(facts: Facts): Planned {
    const cur = facts.rc.get(this.name);
    if (cur === this.value) return planned(null);
    const step: Step = {
      kind: "exec",
      description: `sysrc ${this.name}=${this.value}`,
      script: cmd("sysrc", `${this.name}=${this.value}`),
    };
    return planned(
      cur === undefined
        ? change(this, "create", `${this.name}="${this.value}"`, [step])
        : change(this, "update", `"${cur}" -> "${this.value}"`, [step]),
    );
  }
}

/** `sysrc: {VAR: VALUE, ...}`: one resource per variable, in order. */
export const sysrcType = defineResource({
  type: "sysrc",
  name: "textMap",
  props: {},
  build: (e, r) =>
    Object.entries(e.name).map(([k, v]) => new SysrcResource(k, r.text(v), e.recipe, e.notify)),
});
