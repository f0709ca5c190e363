// What each way of installing Synapse puts on the host: the packages of every recipe (none may
// pull in another PostgreSQL major), the pip build's environment, and the packaged variant.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../src/inventory/load.js";
import { prepare } from "../../src/plan/build.js";
import type { RecipePart } from "../../src/resources/factory.js";
import type { PipResource } from "../../src/resources/pip.js";
import type { PkgResource } from "../../src/resources/pkg.js";
import { EVERYTHING_ON, fixedSecrets, hostsFrom } from "../helpers/render.js";

const inv = (extra: string) =>
  `all:\n  vars:\n    admin_email: a@example.org\n    management_cidrs: [192.0.2.1]\n${extra}  hosts:\n    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }\n`;

function parts(text: string): RecipePart[] {
  const [host] = hostsFrom(text);
  if (!host) throw new Error("no host");
  return prepare(host, fixedSecrets({ smtp_password: "x" })).parts;
}
const resources = (ps: RecipePart[]) => ps.flatMap((p) => p.resources);
const packages = (ps: RecipePart[]) =>
  resources(ps)
    .filter((r) => r.type === "pkg")
    .flatMap((r) => (r as PkgResource).packages);
const addresses = (ps: RecipePart[]) => resources(ps).map((r) => `${r.type} ${r.name}`);

// Every package any recipe installs, and how it is known that none depends on a PostgreSQL
// client other than the chosen major (docs/templates.md, "Packages"): a new package here must
// be checked the same way before it is added to this list.
const REVIEWED = new Set([
  "ca_root_nss",
  "curl",
  "apache24",
  "coturn",
  "dehydrated",
  "libffi",
  "libsodium",
  "libxslt",
  "jpeg-turbo",
  "pkgconf",
  "rust",
]);
const ownMajor = (p: string, major: number) =>
  p === `postgresql${major}-server` || p === `postgresql${major}-client`;
// Python packages FreeBSD builds for every Python (USE_PYTHON=allflavors, or the interpreter).
const everyFlavor = (p: string, py: string) => p === `python${py}` || p === `py${py}-sqlite3`;

describe("packages with synapse.install: pip", () => {
  for (const [label, text, py, major] of [
    ["defaults", inv(""), "311", 17],
    ["every option on (Python 3.12, PostgreSQL 16)", EVERYTHING_ON, "312", 16],
  ] as const) {
    it(`${label}: only reviewed packages, the chosen major's PostgreSQL, every-flavor Python packages`, () => {
      const pkgs = packages(parts(text));
      const unknown = pkgs.filter(
        (p) => !REVIEWED.has(p) && !ownMajor(p, major) && !everyFlavor(p, py),
      );
      expect(unknown).toEqual([]);
      expect(pkgs.filter((p) => p.includes("psycopg2"))).toEqual([]);
      expect(pkgs).toEqual(
        expect.arrayContaining([`python${py}`, `py${py}-sqlite3`, "rust", "libsodium", "libffi"]),
      );
    });
  }

  it("libxslt (lxml for URL previews) only when url_previews is on", () => {
    expect(packages(parts(inv("")))).not.toContain("libxslt");
    expect(packages(parts(EVERYTHING_ON))).toContain("libxslt");
  });

  it("builds in the virtualenv with pg_config on PATH and pkg's libsodium", () => {
    const pip = resources(parts(inv(""))).find((r) => r.type === "pip") as PipResource;
    expect(pip.env.SODIUM_INSTALL).toBe("system");
    expect(pip.env.PATH?.split(":")[0]).toBe("/usr/local/bin");
    expect(pip.extras).toEqual(["postgres"]);
  });
});

describe("synapse.install: package", () => {
  const pkg = inv("    synapse: { install: package }\n");
  it("installs py311-matrix-synapse, no compiler, no virtualenv, keeps the port's rc script", () => {
    const ps = parts(pkg);
    const pkgs = packages(ps);
    expect(pkgs).toContain("py311-matrix-synapse");
    for (const p of ["rust", "libsodium", "pkgconf", "libffi", "jpeg-turbo", "libxslt"])
      expect(pkgs).not.toContain(p);
    const addrs = addresses(ps);
    expect(addrs.filter((a) => /^(virtualenv|pip) /.test(a))).toEqual([]);
    expect(addrs).not.toContain("file /usr/local/etc/rc.d/synapse");
    expect(addrs).toContain("file /usr/local/etc/matrix-synapse/homeserver.yaml");
    expect(addrs).toContain("service synapse");
  });

  it("declares the data and log directories as the port's rc script leaves them (synapse:wheel 0755)", () => {
    const dirs = resources(parts(pkg)).filter(
      (r) => r.type === "directory" && /^\/var\/(db|log)\/matrix-synapse$/.test(r.name),
    ) as unknown as { owner: string; group: string; mode: string }[];
    expect(dirs.map((d) => `${d.owner}:${d.group} ${d.mode}`)).toEqual([
      "synapse:wheel 0755",
      "synapse:wheel 0755",
    ]);
  });

  it("adds py311-lxml for URL previews", () => {
    expect(
      packages(parts(inv("    synapse: { install: package, url_previews: true }\n"))),
    ).toContain("py311-lxml");
  });
});

function diagnostics(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "provision-install-"));
  const file = join(dir, "inventory.yaml");
  writeFileSync(file, text);
  return loadInventory(file).diagnostics.map(
    (d) => `${d.range ? `${d.range.start.line}:${d.range.start.column}: ` : ""}${d.summary}`,
  );
}

describe("validation of synapse.install: package", () => {
  it("refuses a PostgreSQL major other than the package's client (17), where it is written", () => {
    const d = diagnostics(
      inv("    versions: { postgresql: 16 }\n    synapse: { install: package }\n"),
    );
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^6:\d+: synapse\.install: package needs versions\.postgresql 17/);
    expect(d[0]).toContain("would make pkg remove postgresql16-server");
  });
  it("refuses a Python other than 3.11", () => {
    const d = diagnostics(
      inv('    versions: { python: "3.12" }\n    synapse: { install: package }\n'),
    );
    expect(d).toHaveLength(1);
    expect(d[0]).toContain("synapse.install: package needs versions.python 3.11");
  });
  it("accepts the defaults, and pip with any supported major", () => {
    expect(diagnostics(inv("    synapse: { install: package }\n"))).toEqual([]);
    expect(diagnostics(inv("    versions: { postgresql: 16 }\n"))).toEqual([]);
  });
});
