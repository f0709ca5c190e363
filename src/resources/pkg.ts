import { cmd } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource } from "./descriptor.js";
import {
  change,
  type Planned,
  type PlanState,
  planned,
  type Resource,
  type Step,
} from "./types.js";

/** Packages by their FreeBSD names; bootstraps pkg(8) itself on a fresh host, once per plan. */
export class PkgResource implements Resource {
  readonly type = "pkg";
  readonly name: string;
  constructor(
    readonly packages: string[],
    readonly recipe: string,
    readonly notify: string[] = [],
  ) {
    this.name = packages.join(" ");
  }

  request(_req: FactRequest): void {}

  plan(facts: Facts, state: Readonly<PlanState>): Planned {
    const missing = this.packages.filter((p) => !facts.packages.has(p));
    if (missing.length === 0) return planned(null);
    const steps: Step[] = [];
    if (!state.pkgReady) {
      steps.push({
        kind: "exec",
        description: "bootstrap pkg",
        script: "env ASSUME_ALWAYS_YES=yes pkg bootstrap -f",
      });
    }
    steps.push({
      kind: "exec",
      description: `pkg install ${missing.join(" ")}`,
      script: `env ASSUME_ALWAYS_YES=yes ${cmd("pkg", "install", "-y", ...missing)}`,
    });
    // Later pkg resources of the same plan find pkg bootstrapped.
    return {
      change: change(this, "create", `install ${missing.join(", ")}`, steps),
      diagnostics: [],
      state: { pkgReady: true },
    };
  }
}

export const pkgType = defineResource({
  type: "pkg",
  name: "textOrTexts",
  props: {},
  build: (e, r) => [
    new PkgResource((Array.isArray(e.name) ? e.name : [e.name]).map(r.text), e.recipe, e.notify),
  ],
});
