// npm run testhost -- up [--hosts N] [--dir DIR] [--synapse real] | down [--dir DIR] | build | rootfs
// npm run sandbox: one host in ./sandbox, ready for `provision apply -i sandbox/inventory.yaml`.
import { resolve } from "node:path";
import { ensureEngine } from "./engine.js";
import { startHosts, stopHosts } from "./hosts.js";
import { ensureImage, ensureRootfs, type SynapseProfile } from "./image.js";

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
}

/** --synapse real: hosts with Debian's Synapse instead of the stand-in (the same image). */
function synapseProfile(args: string[]): SynapseProfile {
  const p = option(args, "--synapse", "standin");
  if (p !== "standin" && p !== "real") throw new Error("--synapse takes standin or real");
  return p;
}

async function main(argv: string[]): Promise<number> {
  const [cmd = "help", ...args] = argv;
  const log = (s: string) => process.stderr.write(`testhost: ${s}\n`);
  const dir = resolve(option(args, "--dir", cmd === "sandbox" ? "sandbox" : "testhosts"));
  if (cmd === "build") {
    const engine = await ensureEngine(log);
    const { tag, builtMs } = await ensureImage(engine, log);
    console.log(
      builtMs ? `built ${tag} in ${(builtMs / 1000).toFixed(1)} s` : `${tag} is up to date`,
    );
    return 0;
  }
  if (cmd === "rootfs") {
    // The image's first step only (no Docker engine needed): CI starts it before its checks.
    const t0 = Date.now();
    const tarball = await ensureRootfs(log);
    console.log(`${tarball} ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  }
  if (cmd === "up" || cmd === "sandbox") {
    const n = Number(option(args, "--hosts", "1"));
    if (!Number.isInteger(n) || n < 1 || n > 50)
      throw new Error("--hosts takes a number from 1 to 50");
    const t0 = Date.now();
    const set = await startHosts(n, dir, log, { synapse: synapseProfile(args) });
    for (const h of set.hosts)
      console.log(
        `${h.name}: ssh -i ${set.keyFile} -o UserKnownHostsFile=${set.knownHosts} -p ${h.port} root@127.0.0.1`,
      );
    console.log(
      `${n} host${n === 1 ? "" : "s"} up in ${((Date.now() - t0) / 1000).toFixed(1)} s; inventory: ${dir}/inventory.yaml`,
    );
    return 0;
  }
  if (cmd === "down") {
    const n = await stopHosts(dir, log);
    console.log(`removed ${n} host${n === 1 ? "" : "s"} of ${dir}`);
    return 0;
  }
  console.log(
    "usage: npm run testhost -- up [--hosts N] [--dir DIR] [--synapse real] | down [--dir DIR] | build | rootfs",
  );
  return cmd === "help" ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`testhost: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
