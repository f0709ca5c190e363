import { cmd, q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { type Change, change, type Resource, type Step } from "./types.js";

/** Packages by their FreeBSD names; bootstraps pkg(8) itself on a fresh host. */
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
    if (!this.showVersions) return;
    req.repoVersions ??= new Set();
    for (const p of this.packages) req.repoVersions.add(p);
  }

  plan(facts: Facts): Change | null {
    const missing = this.packages.filter((p) => !facts.packages.has(p));
    if (missing.length === 0) return null;
    const steps: Step[] = [];
    if (!facts.pkgReady) {
      steps.push({
        kind: "exec",
        description: "bootstrap pkg",
        script: "env ASSUME_ALWAYS_YES=yes pkg bootstrap -f",
      });
      // Later pkg resources in the same plan see pkg as ready.
      facts.pkgReady = true;
    }
    const versioned = missing.map((p) => {
      const v = this.showVersions ? facts.repoVersions?.get(p) : undefined;
      return v ? `${p} ${v}` : p;
    });
    steps.push({
      kind: "exec",
      description: `pkg install ${missing.join(" ")}`,
      script: `env ASSUME_ALWAYS_YES=yes ${cmd("pkg", "install", "-y", ...missing)}`,
    });
    return change(this, "create", `install ${versioned.join(", ")}`, steps);
  }
}

/** A package whose version the ports tree decides: the plan always says which one it is. */
export class VersionedPkgResource extends PkgResource {
  constructor(packages: string[], recipe: string, notify: string[] = []) {
    super(packages, recipe, notify, true);
  }

  note(facts: Facts): string {
    return this.packages
      .map((p) => {
        const have = facts.packages.get(p);
        const offered = facts.repoVersions?.get(p);
        if (have && offered && offered !== have)
          return `${p} ${have} installed; the repository has ${offered} (pkg upgrade)`;
        if (have) return `${p} ${have} installed (its version follows the ports tree)`;
        if (offered)
          return `${p} ${offered} from the repository (its version follows the ports tree)`;
        return `${p}: the version is whatever the repository offers at install (its catalogue is not fetched yet)`;
      })
      .join("; ");
  }
}

/** rc.conf variables, set with sysrc(8). */
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

  plan(facts: Facts): Change | null {
    const cur = facts.rc.get(this.name);
    if (cur === this.value) return null;
    const step: Step = {
      kind: "exec",
      description: `sysrc ${this.name}=${this.value}`,
      script: cmd("sysrc", `${this.name}=${this.value}`),
    };
    return cur === undefined
      ? change(this, "create", `${this.name}="${this.value}"`, [step])
      : change(this, "update", `"${cur}" -> "${this.value}"`, [step]);
  }
}

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

  plan(facts: Facts): Change | null {
    const cur = facts.services.get(this.name);
    if (cur?.running) return null;
    return change(this, "update", "start (not running)", [
      {
        kind: "exec",
        description: `service ${this.name} start`,
        script: cmd("service", this.name, "start"),
      },
    ]);
  }
}

export class GroupResource implements Resource {
  readonly type = "group";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly gid?: number,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.groups.add(this.name);
  }

  plan(facts: Facts): Change | null {
    if (facts.groups.get(this.name)) return null;
    const args = this.gid !== undefined ? ["-g", String(this.gid)] : [];
    return change(this, "create", this.gid !== undefined ? `gid ${this.gid}` : "system group", [
      {
        kind: "exec",
        description: `pw groupadd ${this.name}`,
        script: cmd("pw", "groupadd", this.name, ...args),
      },
    ]);
  }
}

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

  plan(facts: Facts): Change | null {
    const cur = facts.users.get(this.name);
    if (!cur) {
      return change(this, "create", `group ${this.group}, home ${this.home}, shell ${this.shell}`, [
        {
          kind: "exec",
          description: `pw useradd ${this.name}`,
          script: cmd(
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
          ),
        },
      ]);
    }
    if (cur.shell !== this.shell || cur.home !== this.home) {
      return change(
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
      );
    }
    return null;
  }
}

/** A command for what has no better resource, guarded so it runs only when needed. */
export class CommandResource implements Resource {
  readonly type = "command";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly script: string,
    readonly guard: { creates?: string; unless?: string; onlyif?: string },
    readonly notify: string[] = [],
    /** Why it runs, for the plan (default: which guard asked for it). */
    readonly reason?: string,
  ) {}

  private id(kind: string): string {
    return `${kind}:${this.name}`;
  }

  request(req: FactRequest): void {
    if (this.guard.creates) req.files.add(this.guard.creates);
    if (this.guard.unless) req.guards.set(this.id("unless"), this.guard.unless);
    if (this.guard.onlyif) req.guards.set(this.id("onlyif"), this.guard.onlyif);
  }

  plan(facts: Facts): Change | null {
    const why: string[] = [];
    if (this.guard.creates) {
      if (facts.files.get(this.guard.creates)) return null;
      why.push(`${this.guard.creates} is missing`);
    }
    if (this.guard.unless !== undefined) {
      if (facts.guards.get(this.id("unless")) === 0) return null;
      why.push("check failed");
    }
    if (this.guard.onlyif !== undefined && facts.guards.get(this.id("onlyif")) !== 0) return null;
    // Guarded again at run time: earlier steps of the same apply may have done the work.
    const guarded = this.guard.creates
      ? `if [ ! -e ${q(this.guard.creates)} ]; then\n${this.script}\nfi`
      : this.script;
    return change(this, "update", this.reason ?? (why.join(", ") || "run"), [
      { kind: "exec", description: this.name, script: guarded },
    ]);
  }
}
