import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HostSet, type MailerConf, startHosts } from "../../testhost/src/hosts.js";
import type { SynapseProfile } from "../../testhost/src/image.js";

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts test hosts for one test file; stop() removes them. */
export async function testHosts(
  count = 1,
  opts: { acme?: boolean; mailerConf?: MailerConf; synapse?: SynapseProfile } = {},
): Promise<HostSet & { stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "provision-hosts-"));
  const set = await startHosts(count, dir, (s) => process.stderr.write(`testhost: ${s}\n`), opts);
  return {
    ...set,
    stop: async () => {
      await Promise.all(
        set.containers.map((c) => c.stop({ remove: true, timeout: 2000 }).catch(() => undefined)),
      );
    },
  };
}

/** Runs a shell command on a test host as root (docker exec: no SSH involved). */
export function sh(set: HostSet, host: number, command: string, input?: string): ExecResult {
  const h = set.hosts[host];
  if (!h) throw new Error(`no host ${host}`);
  const r = spawnSync("docker", ["exec", "-i", h.id, "/bin/sh", "-c", command], {
    env: { ...process.env, DOCKER_HOST: set.engine.host },
    encoding: "utf8",
    input: input ?? "",
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
