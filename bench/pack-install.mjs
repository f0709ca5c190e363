// npm pack, then `npm install -g` of the tarball into an empty prefix, as a user would on a
// clean machine; prints the installed size and checks that the installed `provision` runs the
// README's main job. Needs the npm registry (for ssh2): a benchmark, not a test.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "provision-pack-"));
try {
  const t0 = Date.now();
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
    cwd: root,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop();
  const prefix = join(work, "prefix");
  execFileSync(
    "npm",
    ["install", "-g", "--no-audit", "--no-fund", "--prefix", prefix, join(work, tarball)],
    {
      stdio: "inherit",
    },
  );
  const bin = join(prefix, "bin/provision");
  const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  const plan = execFileSync(
    bin,
    [
      "plan",
      "--assume-fresh",
      "-i",
      join(prefix, "lib/node_modules/provision/inventory.example.yaml"),
    ],
    { encoding: "utf8", cwd: work },
  );
  const size = (dir) => execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0];
  const modules = execFileSync("ls", [join(prefix, "lib/node_modules/provision/node_modules")], {
    encoding: "utf8",
  })
    .trim()
    .split("\n");
  console.log(`tarball: ${tarball}, ${size(join(work, tarball))} KiB`);
  console.log(
    `installed: ${size(join(prefix, "lib/node_modules/provision"))} KiB, version ${version}`,
  );
  console.log(`runtime node_modules: ${modules.join(", ")}`);
  console.log(`plan --assume-fresh: ${plan.trim().split("\n").pop()}`);
  console.log(`pack + install + run: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
