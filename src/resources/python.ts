import { cmd, q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { type Change, change, type Resource } from "./types.js";

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

  plan(facts: Facts): Change | null {
    if (facts.venvs.get(this.name)) return null;
    return change(this, "create", `with ${this.python}`, [
      {
        kind: "exec",
        description: `create virtualenv ${this.name}`,
        script: `${cmd(this.python, "-m", "venv", this.name)} && ${cmd(`${this.name}/bin/pip`, "install", "--upgrade", "pip", "setuptools")}`,
      },
    ]);
  }
}

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

  plan(facts: Facts): Change | null {
    const key = this.pkg.toLowerCase().replace(/[-_.]+/g, "-");
    const cur = facts.venvs.get(this.venv)?.get(key);
    if (cur === this.version) return null;
    const spec = `${this.pkg}${this.extras.length ? `[${this.extras.join(",")}]` : ""}==${this.version}`;
    return change(
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
    );
  }
}
