import { join, resolve } from "node:path";

/** The testhost/ folder of the project (this file is testhost/src/paths.ts or bundled in dist/bundle). */
export const TESTHOST_DIR = resolve(import.meta.dirname, "..", "..", "testhost");
export const PROJECT_DIR = resolve(TESTHOST_DIR, "..");

/** Scratch space for the rootfs cache and a Docker engine we start ourselves. */
export const CACHE_DIR = process.env.PROVISION_TESTHOST_CACHE ?? "/var/tmp/provision-testhost";
export const OWN_DOCKER_SOCKET = join(CACHE_DIR, "docker.sock");
