import { q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, optional } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

/** Diffie-Hellman parameters generated on the host with openssl(1), once. */
export class DhParamResource implements Resource {
  readonly type = "dhparam";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly bits: number,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.files.add(this.name);
  }

  plan(facts: Facts): Planned {
    if (facts.files.get(this.name)) return planned(null);
    const dir = this.name.slice(0, this.name.lastIndexOf("/"));
    // -dsaparam: DSA-style parameters generate in seconds instead of minutes; OpenSSL uses
    // single-use DH keys, which is what makes them safe.
    const script = `mkdir -p ${q(dir)} && openssl dhparam -dsaparam -out ${q(`${this.name}.tmp`)} ${this.bits} 2>/dev/null && chmod 0644 ${q(`${this.name}.tmp`)} && mv -f ${q(`${this.name}.tmp`)} ${q(this.name)}`;
    return planned(
      change(this, "create", `${this.bits} bits`, [
        { kind: "exec", description: `openssl dhparam ${this.bits}`, script },
      ]),
    );
  }
}

export const dhparamType = defineResource({
  type: "dhparam",
  name: "text",
  props: { bits: optional("integer") },
  build: (e, r) => [new DhParamResource(r.text(e.name), e.recipe, e.props.bits ?? 2048, e.notify)],
});
