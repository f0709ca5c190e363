import { q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, optional, required } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

export interface CommandGuard {
  /** Runs only while this path is missing. */
  creates?: string;
  /** Runs only when this read-only check fails. */
  unless?: string;
  /** Runs only when this read-only check succeeds. */
  onlyif?: string;
}

/** A command for what has no better resource, guarded so it runs only when needed. */
export class CommandResource implements Resource {
  readonly type = "command";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly script: string,
    readonly guard: CommandGuard,
    readonly notify: string[] = [],
    /** Why it runs, for the plan (default: which guard asked for it). */
    readonly reason?: string,
  ) {}

  private id(kind: string): string {
    return `${kind}:${this.name}`;
  }

  request(req: FactRequest): void {
    if (this.guard.creates) req.files.add(this.guard.creates);
    if (this.guard.unless) req.probes.set(this.id("unless"), this.guard.unless);
    if (this.guard.onlyif) req.probes.set(this.id("onlyif"), this.guard.onlyif);
  }

  plan(facts: Facts): Planned {
    const why: string[] = [];
    if (this.guard.creates) {
      if (facts.files.get(this.guard.creates)) return planned(null);
      why.push(`${this.guard.creates} is missing`);
    }
    if (this.guard.unless !== undefined) {
      if (facts.probes.get(this.id("unless")) === 0) return planned(null);
      why.push("check failed");
    }
    if (this.guard.onlyif !== undefined && facts.probes.get(this.id("onlyif")) !== 0)
      return planned(null);
    // Guarded again at run time: earlier steps of the same apply may have done the work.
    const guarded = this.guard.creates
      ? `if [ ! -e ${q(this.guard.creates)} ]; then\n${this.script}\nfi`
      : this.script;
    return planned(
      change(this, "update", this.reason ?? (why.join(", ") || "run"), [
        { kind: "exec", description: this.name, script: guarded },
      ]),
    );
  }
}

export const commandType = defineResource({
  type: "command",
  name: "text",
  props: {
    run: required("text"),
    creates: optional("text"),
    unless: optional("text"),
    onlyif: optional("text"),
    /** Why it runs, for the plan. */
    reason: optional("text"),
  },
  build: (e, r) => {
    const p = e.props;
    const guard: CommandGuard = {
      ...(p.creates !== undefined ? { creates: r.text(p.creates) } : {}),
      ...(p.unless !== undefined ? { unless: r.text(p.unless) } : {}),
      ...(p.onlyif !== undefined ? { onlyif: r.text(p.onlyif) } : {}),
    };
    const reason = p.reason !== undefined ? r.text(p.reason) : undefined;
    return [new CommandResource(r.text(e.name), e.recipe, r.text(p.run), guard, e.notify, reason)];
  },
});
