import { cmd } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, required } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

/** A Python virtualenv made with the given interpreter, pip and setuptools upgraded. */
export class VirtualenvResource implements Resource {
  readonly type = "virtualenv";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly python: string,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.venvs.add(this.name);
  }

  plan(facts: Facts): Planned {
    if (facts.venvs.get(this.name)) return planned(null);
    return planned(
      change(this, "create", `with ${this.python}`, [
        {
          kind: "exec",
          description: `create virtualenv ${this.name}`,
          script: `${cmd(this.python, "-m", "venv", "--clear", this.name)} && ${cmd(`${this.name}/bin/pip`, "install", "--upgrade", "pip", "setuptools")}`,
        },
      ]),
    );
  }
}

export const virtualenvType = defineResource({
  type: "virtualenv",
  name: "text",
  props: { python: required("text") },
  build: (e, r) => [
    new VirtualenvResource(r.text(e.name), e.recipe, r.text(e.props.python), e.notify),
  ],
});
