// The test-host image: a Debian rootfs (mmdebstrap, cached as a tarball keyed by its inputs),
// imported into Docker once, plus a small layer with the emulated FreeBSD commands, the
// PostgreSQL server builds and the Synapse stand-in. Nothing is pulled from a registry.
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { type Engine, withLock } from "./engine.js";
import { CACHE_DIR, PROJECT_DIR, TESTHOST_DIR } from "./paths.js";
import { run, runLogged } from "./run.js";

/**
 * Debian's unstable suite: the only one that carries a current matrix-synapse package. One rootfs
 * and one image serve both Synapse profiles (the stand-in and Debian's real one): a container
 * picks its profile at start (init, TESTHOST_SYNAPSE), so an empty cache builds one suite.
 */
export const SUITE = "sid";
export const MIRROR = process.env.PROVISION_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
/** Debian packages of the rootfs: what the emulated FreeBSD packages map to, plus Debian's
 *  Synapse and its Python dependencies for the real profile. */
export const PACKAGES = [
  "openssh-server",
  // ssh(1), in FreeBSD's base (the scheduled backup's restic reaches its repository by sftp);
  // sid's openssh-server no longer pulls it in.
  "openssh-client",
  "tini",
  "python3",
  "python3-venv",
  "python3-yaml",
  "python3-jsonschema",
  "python3-psycopg2",
  "apache2",
  "coturn",
  "dehydrated",
  // sysutils/restic (the scheduled backup's offsite copy).
  "restic",
  "unbound",
  "cron",
  "openssl",
  "ca-certificates",
  "curl",
  "procps",
  "sudo",
  "iproute2",
  "diffutils",
  "less",
  // The test network's ACME server (the acme-server container).
  "pebble",
  // The suite's default major, newer than every server below: each postgresqlNN-client runs it,
  // pg_dump and pg_dumpall behind a wrapper that keeps to NN (packages/files/postgresql).
  "postgresql-client",
  "matrix-synapse",
];
/** PostgreSQL server majors, from the npm packages pg15, pg16, pg17 (devDependencies); none
 *  older than 14, which Synapse 1.143.0 and later refuse. */
export const PG_MAJORS = [15, 16, 17];
/** Which Synapse the hosts run: the stand-in (fast to start) or Debian's real one. */
export type SynapseProfile = "standin" | "real";
export const STANDIN_VERSIONS = ["1.156.0", "1.157.0"];
/** The source folders of the image's top layer and where each goes in the image. */
const LAYER = {
  // FreeBSD's own paths: the emulated commands and the files a FreeBSD host has.
  overlay: "/",
  // The test harness (image setup, container init, the ACME server): not part of FreeBSD.
  harness: "/usr/local/libexec/testhost/",
  // The emulated package repository: catalogue, package contents, the ports' rc scripts.
  packages: "/usr/local/libexec/testhost/packages/",
  // The emulators' shared Python library.
  lib: "/usr/lib/python3/dist-packages/",
  standin: "/usr/local/share/synapse-standin/",
} as const;
const LAYER_DIRS = Object.keys(LAYER) as (keyof typeof LAYER)[];

function hashFiles(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    if (name === "__pycache__") continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      hashFiles(h, p);
    } else {
      h.update(`${relative(TESTHOST_DIR, p)}\0${st.mode & 0o777}\0`);
      h.update(readFileSync(p));
    }
  }
}

export function baseKey(): string {
  return createHash("sha256")
    .update(JSON.stringify([SUITE, MIRROR, PACKAGES, "mmdebstrap"]))
    .digest("hex")
    .slice(0, 16);
}

function schemaDir(): string | undefined {
  const dir = join(PROJECT_DIR, "../shared/reference");
  return existsSync(join(dir, "synapse-config.schema.yaml")) ? dir : undefined;
}

export function imageKey(): string {
  const h = createHash("sha256");
  h.update(baseKey());
  for (const dir of LAYER_DIRS) hashFiles(h, join(TESTHOST_DIR, dir));
  h.update(readFileSync(join(TESTHOST_DIR, "src/image.ts")));
  for (const m of PG_MAJORS)
    h.update(readFileSync(join(PROJECT_DIR, `node_modules/pg${m}/package.json`)));
  const schemas = schemaDir();
  if (schemas) h.update(readFileSync(join(schemas, "synapse-config.schema.yaml")));
  return h.digest("hex").slice(0, 16);
}

export const imageTag = () => `provision-testhost:${imageKey()}`;

/** The version of Debian's matrix-synapse package in an image, without the Debian revision. */
export function debianSynapseVersion(engine: Engine, ref: string): string {
  const v = run(
    "docker",
    [
      "run",
      "--rm",
      "--network",
      "none",
      "--entrypoint",
      "dpkg-query",
      ref,
      "-W",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a template
      "-f=${Version}",
      "matrix-synapse",
    ],
    { env: { ...process.env, DOCKER_HOST: engine.host } },
  ).trim();
  const upstream = v.replace(/^\d+:/, "").replace(/-[^-]*$/, "");
  if (!/^\d+\.\d+\.\d+$/.test(upstream))
    throw new Error(`unexpected matrix-synapse package version ${JSON.stringify(v)} in ${ref}`);
  return upstream;
}

function imageExists(engine: Engine, ref: string): boolean {
  try {
    run("docker", ["image", "inspect", ref], { env: { ...process.env, DOCKER_HOST: engine.host } });
    return true;
  } catch {
    return false;
  }
}

/** Builds (or finds cached) the image; returns its tag and how long the build took. */
export async function ensureImage(
  engine: Engine,
  log: (s: string) => void = () => {},
): Promise<{ tag: string; builtMs: number }> {
  const tag = imageTag();
  const env = { ...process.env, DOCKER_HOST: engine.host };
  if (imageExists(engine, tag)) return { tag, builtMs: 0 };
  return withLock("image", async () => {
    if (imageExists(engine, tag)) return { tag, builtMs: 0 };
    const started = Date.now();
    const baseTag = `provision-testhost-base:${baseKey()}`;
    if (!imageExists(engine, baseTag)) {
      const tarball = await ensureRootfs(log);
      log(`importing ${tarball}`);
      run("docker", ["import", tarball, baseTag], { env });
    }
    const ctx = mkdtempSync(join(CACHE_DIR, "context-"));
    try {
      for (const m of PG_MAJORS) {
        const native = join(PROJECT_DIR, `node_modules/pg${m}/native`);
        if (!existsSync(native))
          throw new Error(`PostgreSQL ${m} binaries missing: run npm ci (package pg${m})`);
        cpSync(native, join(ctx, "postgresql", String(m)), {
          recursive: true,
          verbatimSymlinks: true,
        });
      }
      // Both profiles' package indexes; a container's init links the one it runs as `index`.
      // The real profile's offers exactly the version of Debian's package in the image, whose
      // wheel makes the virtualenv import Debian's Synapse.
      const standin = join(ctx, "standin");
      mkdirSync(standin, { recursive: true });
      const version = debianSynapseVersion(engine, baseTag);
      log(`Debian's matrix-synapse in ${baseTag}: ${version}`);
      run("python3", [
        join(TESTHOST_DIR, "standin/build_index.py"),
        "--debian",
        version,
        join(standin, "index-real"),
      ]);
      run("python3", [
        join(TESTHOST_DIR, "standin/build_index.py"),
        join(standin, "index-standin"),
        ...STANDIN_VERSIONS,
      ]);
      // What the py311-matrix-synapse package installs: the stand-in, prebuilt, at its version.
      const catalog = JSON.parse(readFileSync(join(TESTHOST_DIR, "packages/catalog.json"), "utf8"));
      run("python3", [
        join(TESTHOST_DIR, "standin/build_index.py"),
        "--packaged",
        catalog.packages["py311-matrix-synapse"].version,
        join(standin, "packaged"),
      ]);
      const schemas = schemaDir();
      if (schemas) {
        for (const f of ["synapse-config.schema.yaml", "synapse-config.meta.schema.json"])
          cpSync(join(schemas, f), join(standin, f));
      } else {
        log(
          "Synapse's config schema not found next to the project: the stand-in will not validate configurations",
        );
      }
      for (const dir of ["overlay", "harness", "packages", "lib"] as const)
        cpSync(join(TESTHOST_DIR, dir), join(ctx, dir), {
          recursive: true,
          filter: (src) => !src.includes("__pycache__"),
        });
      writeFileSync(
        join(ctx, "Dockerfile"),
        [
          `FROM ${baseTag}`,
          "COPY postgresql/ /opt/postgresql/",
          // uname is replaced by the overlay's: keep Debian's under another name first.
          "RUN mv /usr/bin/uname /usr/bin/uname.linux",
          ...LAYER_DIRS.map((dir) => `COPY ${dir}/ ${LAYER[dir]}`),
          "RUN /usr/local/libexec/testhost/setup-image",
          'ENV PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
          "EXPOSE 22",
          'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/libexec/testhost/init"]',
          "",
        ].join("\n"),
      );
      log(`building ${tag}`);
      await runLogged("docker", ["build", "--network", "none", "-q", "-t", tag, ctx], log, {
        env: { ...env, DOCKER_BUILDKIT: "0" },
      });
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
    const builtMs = Date.now() - started;
    log(`built ${tag} in ${(builtMs / 1000).toFixed(1)} s`);
    return { tag, builtMs };
  });
}

/**
 * The rootfs tarball, built if it is not cached. Needs no Docker engine, so CI starts it early
 * (`testhost rootfs`, .ci/run) and the image build waits for it through the lock.
 */
export async function ensureRootfs(log: (s: string) => void = () => {}): Promise<string> {
  const tarball = join(CACHE_DIR, `rootfs-${baseKey()}.tar`);
  if (existsSync(tarball)) return tarball;
  return withLock("rootfs", async () => {
    if (!existsSync(tarball)) await buildRootfs(tarball, log);
    return tarball;
  });
}

/**
 * The rootfs: Debian's minbase (as debootstrap's) with the packages, by mmdebstrap, which
 * downloads through apt (side by side, where debootstrap fetches one package after the other)
 * and installs in one pass: measured here, 131 s against 218 s for debootstrap plus apt-get.
 * Package lists are kept, as debootstrap leaves them. sid's Release file is often past its
 * Valid-Until date, which apt refuses without the option. Maintainer scripts start no services
 * (mmdebstrap's policy-rc.d while it installs).
 */
async function buildRootfs(tarball: string, log: (s: string) => void): Promise<void> {
  const dir = join(CACHE_DIR, `rootfs-${process.pid}-${Date.now().toString(36)}`);
  const t0 = Date.now();
  log(`mmdebstrap ${SUITE} (minbase + ${PACKAGES.length} packages) into ${dir}`);
  try {
    try {
      await runLogged(
        "mmdebstrap",
        [
          "--variant=minbase",
          `--include=${PACKAGES.join(",")}`,
          "--skip=cleanup/apt/lists",
          '--aptopt=Acquire::Check-Valid-Until "false"',
          SUITE,
          dir,
          MIRROR,
        ],
        log,
      );
    } catch (e) {
      throw new Error(
        `the test-host rootfs (Debian ${SUITE}) could not be built: ${SUITE} changes daily; a ` +
          "package may be missing or broken there today. A rootfs built once stays cached " +
          `(${tarball}); try again later, or point PROVISION_DEBIAN_MIRROR at another mirror.\n` +
          (e as Error).message,
      );
    }
    log(`mmdebstrap ${SUITE}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    rmSync(join(dir, "var/cache/apt/archives"), { recursive: true, force: true });
    mkdirSync(join(dir, "var/cache/apt/archives/partial"), { recursive: true });
    chmodSync(dir, 0o755);
    run("tar", ["-C", dir, "--numeric-owner", "-cf", `${tarball}.tmp`, "."]);
    run("mv", [`${tarball}.tmp`, tarball]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
