// Test-host start-up once the image is cached: one host, then ten in parallel. Prints wall
// times; the image build time is printed too when this run had to build it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { startHosts } = await import("../dist/testhost/testhost-lib.js");
const { ensureEngine } = await import("../dist/testhost/testhost-lib.js");
const { ensureImage } = await import("../dist/testhost/testhost-lib.js");

const engine = await ensureEngine();
const { tag, builtMs } = await ensureImage(engine);
console.log(
  builtMs
    ? `image ${tag} built in ${(builtMs / 1000).toFixed(1)} s`
    : `image ${tag} already cached`,
);
for (const n of [1, 10]) {
  const dir = mkdtempSync(join(tmpdir(), "provision-bench-hosts-"));
  const t0 = performance.now();
  const set = await startHosts(n, dir);
  const ms = performance.now() - t0;
  console.log(`${n} host${n === 1 ? "" : "s"} up (SSH listening) in ${(ms / 1000).toFixed(2)} s`);
  await Promise.all(set.containers.map((c) => c.stop({ remove: true, timeout: 1000 })));
}
