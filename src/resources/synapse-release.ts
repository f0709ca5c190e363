// Synapse from pip lives in one virtualenv per release (`venv-VERSION-pyX.Y`) next to a `venv`
// symlink that the rc script runs through. An upgrade builds the new release beside the running
// one, dumps the database, switches the symlink with rename(2), restarts and checks /health; on
// failure it switches back and restarts the old release. Old releases are kept (`keep`).
import { cmd, q } from "../connector/quote.js";
import type { SynapseReleasesFact } from "../facts/synapse-releases.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { normalizeDist } from "../facts/venvs.js";
import { canonicalPathScript, destructivePathProblem } from "../guards/destructive-paths.js";
import { compareVersions } from "../versions.js";
import { defineResource, optional, required } from "./descriptor.js";
import { BACKUP_DIR } from "./file.js";
import { change, type Planned, planned, type Resource } from "./types.js";

export const UPGRADE_NOTES = "https://element-hq.github.io/synapse/latest/upgrade.html";
/** Root's own: database dumps taken before a release switch. */
export const SYNAPSE_DUMP_DIR = `${BACKUP_DIR}/synapse-dumps`;
/** Written last into a release's virtualenv: only a complete build is ever switched to. */
const COMPLETE = ".provision-complete";
const HEALTH_TRIES = 60;

const versionOf = (release: string) => /^venv-(\d[^-]*)/.exec(release)?.[1] ?? "0";

export interface SynapseReleaseSpec {
  link: string;
  version: string;
  /** The interpreter path, e.g. /usr/local/bin/python3.11. */
  python: string;
  extras: string[];
  env: Record<string, string>;
  database: string;
  health: string;
  /** Old releases kept besides the active one. */
  keep: number;
}

export class SynapseReleaseResource implements Resource {
  readonly type = "synapse_release";
  readonly name: string;
  constructor(
    readonly spec: SynapseReleaseSpec,
    readonly recipe: string,
    readonly notify: string[] = [],
  ) {
    this.name = spec.link;
  }

  private get base(): string {
    return this.spec.link.slice(0, this.spec.link.lastIndexOf("/"));
  }

  /** The release directory this version and Python get. */
  get release(): string {
    const py = /python([\d.]+)$/.exec(this.spec.python)?.[1] ?? "3";
    return `venv-${this.spec.version}-py${py}`;
  }

  request(req: FactRequest): void {
    req.synapseReleases.add(this.spec.link);
    req.venvs.add(this.spec.link);
  }

  plan(facts: Facts): Planned {
    const f = facts.synapseReleases.get(this.spec.link) ?? { kind: "none", releases: [] };
    const running = facts.venvs.get(this.spec.link)?.get(normalizeDist("matrix-synapse"));
    const current = f.kind === "symlink" ? f.target : undefined;
    const switching = !(current === this.release && running === this.spec.version);
    const obsolete = this.obsolete(f);
    const problems = obsolete
      .map((r) => destructivePathProblem(`${this.base}/${r}`, [`${this.base}/${this.release}`]))
      .filter((p): p is string => p !== undefined);
    if (!switching && obsolete.length === 0) return planned(null);
    const steps = [];
    if (switching)
      steps.push({
        kind: "exec" as const,
        description: `install Synapse ${this.spec.version} into ${this.base}/${this.release} and switch ${this.spec.link} to it`,
        script: this.switchScript(f, running),
      });
    for (const r of obsolete)
      steps.push({
        kind: "exec" as const,
        description: `remove the old release ${this.base}/${r}`,
        script: [
          "set -e",
          canonicalPathScript(`${this.base}/${r}`),
          cmd("rm", "-rf", `${this.base}/${r}`),
        ].join("\n"),
      });
    const removing = `remove old releases ${obsolete.join(", ")} (keeping ${this.spec.keep})`;
    const summary = !switching
      ? removing
      : f.kind === "none"
        ? `install ${this.spec.version} into ${this.base}/${this.release}`
        : `${running ?? "unknown"} -> ${this.spec.version} (${current ?? "venv"} -> ${this.release}; dump first, back on failure); upgrade notes: ${UPGRADE_NOTES}`;
    const c = change(
      this,
      f.kind === "none" ? "create" : "update",
      switching && obsolete.length > 0 ? `${summary}; ${removing}` : summary,
      steps,
      { notify: [] },
    );
    return {
      change: c,
      diagnostics: problems.map((p) => ({
        severity: "error" as const,
        summary: `${c.address}: refusing to remove an old release: ${p}`,
      })),
    };
  }

  /** Releases beyond the active one, the wanted one and the `keep` newest others. */
  private obsolete(f: SynapseReleasesFact): string[] {
    const pinned = new Set([this.release, ...(f.target ? [f.target] : [])]);
    const others = f.releases
      .filter((r) => !pinned.has(r))
      .sort((a, b) => compareVersions(versionOf(b), versionOf(a)));
    const keepOthers = Math.max(0, this.spec.keep - (pinned.size - 1));
    return others.slice(keepOthers);
  }

  private switchScript(f: SynapseReleasesFact, running: string | undefined): string {
    const { link, version, python, extras, env, database, health } = this.spec;
    const dir = `${this.base}/${this.release}`;
    const spec = `matrix-synapse${extras.length ? `[${extras.join(",")}]` : ""}==${version}`;
    const envs = Object.entries(env).map(([k, v]) => q(`${k}=${v}`));
    const tmpLink = `${this.base}/.venv.provision-new`;
    // rename(2) of a fresh symlink over the old one: never a moment without `venv`. mv(1) would
    // move into the directory the link points to (FreeBSD's mv -h is not portable).
    const swap = (target: string) =>
      `rm -f ${q(tmpLink)} && ln -s ${target} ${q(tmpLink)} && ${q(`${dir}/bin/python`)} -c 'import os, sys; os.replace(sys.argv[1], sys.argv[2])' ${q(tmpLink)} ${q(link)}`;
    const legacy = `venv-${running ?? "unknown"}-previous`;
    return [
      "set -eu",
      `if [ ! -f ${q(`${dir}/${COMPLETE}`)} ]; then`,
      canonicalPathScript(dir).replace(/^/gm, "  "),
      `  rm -rf ${q(dir)}`,
      `  ${cmd(python, "-m", "venv", dir)}`,
      `  ${cmd(`${dir}/bin/pip`, "install", "--no-input", "--progress-bar", "off", "--upgrade", "pip", "setuptools")}`,
      `  ${envs.length ? `env ${envs.join(" ")} ` : ""}${cmd(`${dir}/bin/pip`, "install", "--no-input", "--progress-bar", "off", spec)}`,
      `  touch ${q(`${dir}/${COMPLETE}`)}`,
      "fi",
      ...(f.kind === "none"
        ? [swap(this.release)]
        : [
            // The database first: Synapse migrates its schema forward on start.
            "was_running=no; service synapse onestatus >/dev/null 2>&1 && was_running=yes",
            `(umask 077 && mkdir -p ${q(SYNAPSE_DUMP_DIR)})`,
            `dump=${q(`${SYNAPSE_DUMP_DIR}/${database}-${running ?? "unknown"}`)}-$(date -u +%Y%m%dT%H%M%SZ).dump`,
            `su -l postgres -c ${q(`pg_dump -Fc ${database}`)} > "$dump.partial"`,
            'fsync "$dump.partial" 2>/dev/null || sync',
            'mv "$dump.partial" "$dump"',
            ...(f.kind === "directory"
              ? [`mv ${q(link)} ${q(`${this.base}/${legacy}`)}`, `old=${legacy}`]
              : [`old=$(readlink ${q(link)})`]),
            swap(this.release),
            'if [ "$was_running" = yes ]; then',
            "  service synapse restart || true",
            // A release that does not stay up is not waited for.
            `  i=0; until curl -fsS -o /dev/null ${q(health)} 2>/dev/null; do`,
            `    i=$((i + 1)); if [ "$i" -ge ${HEALTH_TRIES} ] || ! service synapse onestatus >/dev/null 2>&1; then`,
            `      ${swap('"$old"')}`,
            "      service synapse restart || true",
            `      echo "Synapse ${version} did not answer ${health} within ${HEALTH_TRIES} s: switched back to $old and restarted it (database dump: $dump)" >&2`,
            "      exit 1",
            "    fi; sleep 1",
            "  done",
            "fi",
          ]),
    ].join("\n");
  }
}

export const synapseReleaseType = defineResource({
  type: "synapse_release",
  name: "text",
  props: {
    version: required("text"),
    python: required("text"),
    database: required("text"),
    health: required("text"),
    extras: optional("texts"),
    env: optional("textMap"),
    keep: optional("integer"),
  },
  build: (e, r) => [
    new SynapseReleaseResource(
      {
        link: r.text(e.name),
        version: r.text(e.props.version),
        python: r.text(e.props.python),
        database: r.text(e.props.database),
        health: r.text(e.props.health),
        extras: (e.props.extras ?? []).map(r.text),
        env: Object.fromEntries(Object.entries(e.props.env ?? {}).map(([k, v]) => [k, r.text(v)])),
        keep: e.props.keep ?? 2,
      },
      e.recipe,
      e.notify,
    ),
  ],
});
