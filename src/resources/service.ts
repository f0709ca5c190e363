import { cmd } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

/** A service that must be running (its rc.conf enable variable is a sysrc resource). */
export class ServiceResource implements Resource {
  readonly type = "service";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.services.add(this.name);
  }

  plan(facts: Facts): Planned {
    if (facts.services.get(this.name)?.running) return planned(null);
    return planned(
      change(this, "update", "start (not running)", [
        {
          kind: "exec",
          description: `service ${this.name} start`,
          script: cmd("service", this.name, "start"),
        },
      ]),
    );
  }
}

export const serviceType = defineResource({
  type: "service",
  name: "text",
  props: {},
  build: (e, r) => [new ServiceResource(r.text(e.name), e.recipe, e.notify)],
});
