// A Docker engine for test hosts: the one configured (DOCKER_HOST or /var/run/docker.sock) if it
// answers, otherwise Debian's dockerd started here with its data under the cache directory.
// Containers get no NAT to the outside (--iptables=false --ip-masq=false) and published ports
// bind to 127.0.0.1 only (--ip).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, OWN_DOCKER_SOCKET } from "./paths.js";

export interface Engine {
  /** unix:///path: give it to docker (DOCKER_HOST) and testcontainers. */
  host: string;
  /** Whether this process tree started it (and so may stop it). */
  owned: boolean;
}

function answers(host: string): boolean {
  const r = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], {
    env: { ...process.env, DOCKER_HOST: host },
    encoding: "utf8",
    timeout: 10_000,
  });
  return r.status === 0 && r.stdout.trim() !== "";
}

/** Serialises engine start-up and image builds across parallel test workers. */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = join(CACHE_DIR, `${name}.lock`);
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      // A lock left by a dead process is taken over.
      const pid = Number(readFileSafe(join(lock, "pid")));
      if (pid && !alive(pid)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

/** Whether a process runs: EPERM means it does, only under another user (kill(2)). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** An engine that already answers (never starts one). */
export function findEngine(): Engine | undefined {
  const own = `unix://${OWN_DOCKER_SOCKET}`;
  const candidates = [process.env.DOCKER_HOST, "unix:///var/run/docker.sock", own].filter(
    (h): h is string => !!h,
  );
  for (const h of candidates) {
    if (h.startsWith("unix://") && !existsSync(h.slice(7))) continue;
    if (answers(h)) return { host: h, owned: h === own };
  }
  return undefined;
}

export async function ensureEngine(log: (s: string) => void = () => {}): Promise<Engine> {
  const found = findEngine();
  if (found) return found;
  const own = `unix://${OWN_DOCKER_SOCKET}`;
  return withLock("dockerd", async () => {
    if (existsSync(OWN_DOCKER_SOCKET) && answers(own)) return { host: own, owned: true };
    if (spawnSync("sh", ["-c", "command -v dockerd"]).status !== 0) {
      throw new Error(
        "no Docker engine reachable and dockerd is not installed (apt-get install docker.io)",
      );
    }
    log("starting dockerd for test hosts");
    const dir = join(CACHE_DIR, "docker");
    mkdirSync(dir, { recursive: true });
    const out = openSync(join(CACHE_DIR, "dockerd.log"), "a");
    const child = spawn(
      "dockerd",
      [
        "--host",
        own,
        "--data-root",
        join(dir, "data"),
        "--exec-root",
        join(dir, "exec"),
        "--pidfile",
        join(CACHE_DIR, "dockerd.pid"),
        "--iptables=false",
        "--ip-masq=false",
        "--ip=127.0.0.1",
        // Containers resolve names locally only (their own unbound, /etc/hosts).
        "--dns=127.0.0.1",
        "--userland-proxy=true",
      ],
      { detached: true, stdio: ["ignore", out, out] },
    );
    child.unref();
    // Who started it: a test run stops the engine it started (test/setup/global.ts).
    writeFileSync(
      join(CACHE_DIR, "dockerd.started-by"),
      process.env.PROVISION_TEST_RUN ?? "manual",
    );
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (existsSync(OWN_DOCKER_SOCKET) && answers(own)) return { host: own, owned: true };
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`dockerd did not start; see ${join(CACHE_DIR, "dockerd.log")}`);
  });
}

/** Stops the dockerd this project started (if any); with a run id, only if that run started it. */
export async function stopOwnEngine(run?: string): Promise<boolean> {
  if (run !== undefined && readFileSafe(join(CACHE_DIR, "dockerd.started-by")) !== run)
    return false;
  const pid = Number(readFileSafe(join(CACHE_DIR, "dockerd.pid")));
  if (!pid || !alive(pid)) return false;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // A stale pid file naming another user's process (EPERM): not ours to stop.
    return false;
  }
  const deadline = Date.now() + 20_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return true;
}
