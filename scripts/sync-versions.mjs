// Writes what src/versions.ts supports into the schema's descriptions and README's inventory
// table, so the three never disagree. `--check` only compares (the tests run it) and exits 1
// when a file is out of date.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const tmp = mkdtempSync(join(tmpdir(), "provision-versions-"));
let versions;
try {
  const out = join(tmp, "versions.mjs");
  await build({
    entryPoints: [join(root, "src/versions.ts")],
    outfile: out,
    format: "esm",
    logLevel: "error",
  });
  versions = await import(out);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const text = versions.supportText();

const schemaFile = join(root, "schema/inventory.schema.json");
// Line-wise, so the file keeps its hand-written layout.
const descriptions = {
  "Expected FreeBSD release": `Expected FreeBSD release, MAJOR.MINOR (${text.freebsd}).`,
  "Python for the Synapse virtualenv": `Python for the Synapse virtualenv (${text.python}).`,
  "PostgreSQL major version": `PostgreSQL major version (${text.postgresql.replaceAll("`", "")}).`,
};
const schemaText = readFileSync(schemaFile, "utf8")
  .split("\n")
  .map((line) => {
    const m = /^(\s*"description": )"(.*)",?$/.exec(line);
    const key = m && Object.keys(descriptions).find((k) => m[2].startsWith(`${k}`));
    if (!m || !key) return line;
    return `${m[1]}${JSON.stringify(descriptions[key])}${line.trimEnd().endsWith(",") ? "," : ""}`;
  })
  .join("\n");

const readmeFile = join(root, "README.md");
const rows = {
  "versions.freebsd": `| \`versions.freebsd\` | \`"14.3"\` | expected release (${text.freebsd}) |`,
  "versions.python": `| \`versions.python\` | \`"3.11"\` | Python of the Synapse virtualenv (${text.python}) |`,
  "versions.postgresql": `| \`versions.postgresql\` | \`17\` | PostgreSQL major (${text.postgresql}) |`,
};
const readme = readFileSync(readmeFile, "utf8")
  .split("\n")
  .map((line) => {
    const key = /^\| `(versions\.[a-z]+)` \|/.exec(line)?.[1];
    return key && rows[key] ? rows[key] : line;
  })
  .join("\n");

const check = process.argv.includes("--check");
let stale = 0;
for (const [file, want] of [
  [schemaFile, schemaText],
  [readmeFile, readme],
]) {
  if (readFileSync(file, "utf8") === want) continue;
  stale++;
  if (check) console.error(`${file} does not state the supported versions of src/versions.ts`);
  else writeFileSync(file, want);
}
if (check && stale > 0) {
  console.error("Run `npm run sync-versions` and commit the result.");
  process.exit(1);
}
