// A no-op check of the whole homeserver on one converged test host, provision against Ansible,
// in the same run on the same host: `provision plan` (10 runs) and `ansible-playbook --check
// --diff` of bench/ansible/playbook.yml (3 runs, pipelining on). Also the share of each run's
// wall time spent inside the test host's emulated FreeBSD commands (Python programs that are
// much slower than FreeBSD's native ones), measured on the host by a sitecustomize hook.
// Run under the test-host lock: flock /var/tmp/provision-e2e.lock node bench/ansible-vs-provision.mjs
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const { startHosts } = await import("../dist/testhost/testhost-lib.js");
const dir = mkdtempSync(join(tmpdir(), "provision-bench-ansible-"));
const set = await startHosts(1, dir);
const host = set.hosts[0];
const inv = join(dir, "inventory.yaml");
const env = { ...process.env, PROVISION_AGE_IDENTITY_FILE: join(dir, "age.txt"), NO_COLOR: "1" };
const run = (cmd, args, extra = {}) =>
  spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 1 << 28, ...extra });
const provision = (...args) =>
  run(process.execPath, [join(root, "bin/provision.js"), ...args, "-i", inv]);
const onHost = (script) =>
  run("docker", ["exec", "-i", host.id, "/bin/sh", "-c", script], {
    env: { ...process.env, DOCKER_HOST: set.engine.host },
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timed = (f) => {
  const t = performance.now();
  const r = f();
  return { r, ms: performance.now() - t };
};

// Every emulated command logs [start, end] in seconds since boot while the log file exists.
const HOOK = `
import os as _os, sys as _sys, time as _time, atexit as _atexit
if _os.path.exists("/var/tmp/emu-timing.log") and _sys.argv and _sys.argv[0].startswith("/"):
    def _emu_log(_argv0=_sys.argv[0]):
        with open("/proc/self/stat") as _f:
            _start = int(_f.read().rsplit(")", 1)[1].split()[19]) / _os.sysconf("SC_CLK_TCK")
        with open("/var/tmp/emu-timing.log", "a") as _f:
            _f.write(f"{_argv0} {_start:.3f} {_time.clock_gettime(_time.CLOCK_BOOTTIME):.3f}\\n")
    _atexit.register(_emu_log)
`;
const EMULATED =
  /^\/(usr\/(local\/)?)?s?bin\/|^\/etc\/rc\.d\/|^\/usr\/local\/etc\/rc\.d\/|^\/usr\/local\/libexec\/testhost\//;

/** Runs f with timing on; the share of its wall time covered by emulated commands. */
function emulatedShare(f) {
  onHost("rm -f /var/tmp/emu-timing.log; touch /var/tmp/emu-timing.log");
  const { r, ms } = timed(f);
  const log = onHost("cat /var/tmp/emu-timing.log; rm -f /var/tmp/emu-timing.log").stdout;
  const spans = log
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" "))
    .filter(([cmd]) => EMULATED.test(cmd))
    .map(([, a, b]) => [Number(a), Number(b)])
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let end = -1;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  return { r, ms, emulatedMs: covered * 1000, commands: spans.length };
}

try {
  if (provision("secrets", "init").status !== 0) throw new Error("secrets init failed");
  const apply = timed(() => provision("apply", "--yes"));
  if (apply.r.status !== 0) throw new Error(`apply failed: ${apply.r.stderr}`);
  // Debian's sitecustomize of the host's python3, whatever its version.
  onHost(
    `cat >> "/etc/python$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')/sitecustomize.py" <<'EOF'\n${HOOK}\nEOF`,
  );

  // provision: 10 no-op plans.
  const plans = [];
  let trips = "";
  for (let i = 0; i < 10; i++) {
    const t = timed(() =>
      run(
        process.execPath,
        [join(root, "bin/provision.js"), "plan", "--detailed-exitcode", "-i", inv],
        {
          env: { ...env, PROVISION_STATS: "1" },
        },
      ),
    );
    if (t.r.status !== 0) throw new Error(`plan not converged (exit ${t.r.status}): ${t.r.stdout}`);
    plans.push(t.ms);
    trips = t.r.stderr.trim();
  }
  const planShare = emulatedShare(() => provision("plan"));

  // Ansible: the same work, described by vars taken from the converged host.
  const rendered = join(dir, "rendered");
  if (provision("render", "--out", rendered).status !== 0) throw new Error("render failed");
  const hostDir = join(rendered, host.name);
  const files = readFileSync(join(hostDir, "MANIFEST"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => {
      const [path, og, mode] = l.split("\t");
      const [owner, group] = og.split(":");
      return { src: join(hostDir, path), path, owner, group, mode };
    });
  const fresh = provision("plan", "--assume-fresh", "--json")
    .stdout.trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const res = (type) =>
    fresh
      .filter((e) => e.type === "planned_change" && e.change.resource.resource_type === type)
      .map((e) => e.change.resource.resource_name);
  const sysrc = Object.fromEntries(
    res("sysrc").map((v) => [v, onHost(`sysrc -n ${v}`).stdout.trim()]),
  );
  const directories = res("directory").map((path) => {
    const [owner, group, mode] = onHost(`stat -c '%U %G %a' ${path}`).stdout.trim().split(" ");
    return { path, owner, group, mode: mode.padStart(4, "0") };
  });
  const pgPassword = onHost(
    `python3 -c "import yaml;print(yaml.safe_load(open('/usr/local/etc/matrix-synapse/homeserver.yaml'))['database']['args']['password'])"`,
  ).stdout.trim();
  // The release the recipe installs: "install VERSION into ..." in its planned change.
  const synapse = fresh
    .find(
      (e) => e.type === "planned_change" && e.change.resource.resource_type === "synapse_release",
    )
    ?.change.summary.match(/^install (\S+) into /)?.[1];
  if (!synapse) throw new Error("no Synapse release in the fresh plan");
  const publicHostname =
    readFileSync(inv, "utf8").match(/public_hostname: (\S+)/)?.[1] ?? `${host.name}.example.test`;
  const ansibleDir = join(dir, "ansible");
  cpSync(join(root, "bench/ansible"), ansibleDir, { recursive: true });
  writeFileSync(
    join(ansibleDir, "vars.yml"),
    JSON.stringify({
      packages: res("pkg").flatMap((n) => n.split(" ")),
      sysrc,
      groups_wanted: res("group"),
      users_wanted: res("user"),
      directories,
      files,
      services: res("service"),
      postgres_password: pgPassword,
      synapse_version: synapse,
      public_hostname: publicHostname,
    }),
  );
  writeFileSync(
    join(ansibleDir, "hosts.ini"),
    `[homeservers]\n${host.name} ansible_host=127.0.0.1 ansible_port=${host.port} ansible_user=root ansible_ssh_private_key_file=${join(dir, "id_ed25519")} ansible_ssh_common_args='-o UserKnownHostsFile=${join(dir, "known_hosts")}'\n`,
  );
  const ansible = () =>
    run("ansible-playbook", ["-i", "hosts.ini", "--check", "--diff", "playbook.yml"], {
      cwd: ansibleDir,
      env: {
        ...process.env,
        ANSIBLE_CONFIG: join(ansibleDir, "ansible.cfg"),
        ANSIBLE_NOCOLOR: "1",
      },
    });
  const runs = [];
  let recap = "";
  for (let i = 0; i < 3; i++) {
    const t = timed(ansible);
    if (t.r.error)
      throw new Error(
        `ansible-playbook could not run (${t.r.error.message}): install Debian's ansible (apt-get install ansible)`,
      );
    // What Ansible would change on a host provision reports converged (should be nothing).
    if (i === 0) {
      let task = "";
      for (const l of t.r.stdout.split("\n")) {
        if (l.startsWith("TASK [")) task = l.replace(/\s*\*+$/, "");
        if (/^changed: /.test(l)) console.log(`ansible would change: ${task} ${l}`);
      }
    }
    if (t.r.status !== 0)
      throw new Error(`ansible-playbook failed (exit ${t.r.status}): ${t.r.stdout.slice(-3000)}`);
    runs.push(t.ms);
    recap = t.r.stdout.trim().split("\n").at(-1);
  }
  const ansibleShare = emulatedShare(ansible);

  const p = median(plans);
  const a = median(runs);
  const pct = (x, of) => `${((100 * x) / of).toFixed(0)} %`;
  console.log(`first apply on a fresh host: ${(apply.ms / 1000).toFixed(1)} s`);
  console.log(
    `provision no-op plan: median ${p.toFixed(0)} ms (min ${Math.min(...plans).toFixed(0)}, max ${Math.max(...plans).toFixed(0)}, 10 runs); ${trips.replace("stats: ", "")}`,
  );
  console.log(
    `  in emulated commands: ${planShare.emulatedMs.toFixed(0)} ms of ${planShare.ms.toFixed(0)} ms (${pct(planShare.emulatedMs, planShare.ms)}, ${planShare.commands} processes)`,
  );
  console.log(
    `ansible-playbook --check --diff: median ${(a / 1000).toFixed(1)} s (3 runs); ${recap.replace(/\s+/g, " ")}`,
  );
  console.log(
    `  in emulated commands: ${(ansibleShare.emulatedMs / 1000).toFixed(1)} s of ${(ansibleShare.ms / 1000).toFixed(1)} s (${pct(ansibleShare.emulatedMs, ansibleShare.ms)}, ${ansibleShare.commands} processes)`,
  );
  console.log(`ratio (ansible / provision, medians): ${(a / p).toFixed(1)}x`);
} finally {
  await Promise.all(set.containers.map((c) => c.stop({ remove: true, timeout: 1000 })));
}
