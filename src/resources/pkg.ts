import { cmd } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, optional } from "./descriptor.js";
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
    /** Show the version (installed, or what the repository offers) in the plan. */
    readonly showVersions = false,
  ) {
    this.name = packages.join(" ");
  }

  request(req: FactRequest): void {
    if (this.showVersions) for (const p of this.packages) req.repoVersions.add(p);
  }

  /** A package whose version the ports tree decides: the plan always says which one it is. */
  note(facts: Facts): string | undefined {
    if (!this.showVersions) return undefined;
    return this.packages
      .map((p) => {
        const have = facts.packages.get(p);
        const offered = facts.repoVersions.get(p);
        if (have && offered && offered !== have)
          return `${p} ${have} installed; the repository has ${offered} (pkg upgrade)`;
        if (have) return `${p} ${have} installed (its version follows the ports tree)`;
        if (offered)
          return `${p} ${offered} from the repository (its version follows the ports tree)`;
        return `${p}: the version is whatever the repository offers at install (its catalogue is not fetched yet)`;
      })
      .join("; ");
  }

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
    const versioned = missing.map((p) => {
      const v = this.showVersions ? facts.repoVersions.get(p) : undefined;
      return v ? `${p} ${v}` : p;
    });
    // Later pkg resources of the same plan find pkg bootstrapped.
    return {
      change: change(this, "create", `install ${versioned.join(", ")}`, steps),
      diagnostics: [],
      state: { pkgReady: true },
    };
  }
}

export const pkgType = defineResource({
  type: "pkg",
  name: "textOrTexts",
  props: { show_versions: optional("boolean") },
  build: (e, r) => [
    new PkgResource(
      (Array.isArray(e.name) ? e.name : [e.name]).map(r.text),
      e.recipe,
      e.notify,
      e.props.show_versions === true,
    ),
  ],
});
