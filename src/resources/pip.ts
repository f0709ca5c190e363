import { q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { normalizeDist } from "../facts/venvs.js";
import { defineResource, optional, required } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

function envPrefix(env: Record<string, string>): string {
  const vars = Object.entries(env).map(([k, v]) => q(`${k}=${v}`));
  return vars.length > 0 ? `env ${vars.join(" ")} ` : "";
}

/** A Python distribution pinned to one version inside a virtualenv. */
export class PipResource implements Resource {
  readonly type = "pip";
  readonly name: string;
  constructor(
    readonly venv: string,
    readonly pkg: string,
    readonly version: string,
    readonly extras: string[],
    readonly recipe: string,
    readonly notify: string[] = [],
    /** Environment of the build (PATH to pg_config, SODIUM_INSTALL, ...). */
    readonly env: Record<string, string> = {},
  ) {
    this.name = `${pkg}==${version}`;
  }

  request(req: FactRequest): void {
    req.venvs.add(this.venv);
  }

  plan(facts: Facts): Planned {
    const cur = facts.venvs.get(this.venv)?.get(normalizeDist(this.pkg));
    if (cur === this.version) return planned(null);
    const spec = `${this.pkg}${this.extras.length ? `[${this.extras.join(",")}]` : ""}==${this.version}`;
    return planned(
      change(
        this,
        cur ? "update" : "create",
        cur ? `${cur} -> ${this.version}` : `install ${this.version} into ${this.venv}`,
        [
          {
            kind: "exec",
            description: `pip install ${spec}`,
            script: `${envPrefix(this.env)}${q(`${this.venv}/bin/pip`)} install --no-input --progress-bar off ${q(spec)}`,
          },
        ],
      ),
    );
  }
}

export const pipType = defineResource({
  type: "pip",
  name: "text",
  props: {
    venv: required("text"),
    version: required("text"),
    extras: optional("texts"),
    env: optional("textMap"),
  },
  build: (e, r) => [
    new PipResource(
      r.text(e.props.venv),
      r.text(e.name),
      r.text(e.props.version),
      (e.props.extras ?? []).map(r.text),
      e.recipe,
      e.notify,
      Object.fromEntries(Object.entries(e.props.env ?? {}).map(([k, v]) => [k, r.text(v)])),
    ),
  ],
});
