// Fact kinds from data fixtures (test/fixtures/facts/*.yaml): probe output -> parsed facts, as
// pyinfra's tests/facts/*.json; and the properties every kind shares.
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { factScript, parseFacts } from "../../src/facts/gather.js";
import {
  type AnyFactKind,
  FACT_KINDS,
  FACT_NAMES,
  type FactName,
} from "../../src/facts/registry.js";
import { emptyRequest, type FactRequest, freshFacts } from "../../src/facts/types.js";
import { ROOT } from "../helpers/cli.js";
import { plain, probeOutput, requestFrom } from "../helpers/facts.js";

interface FactCase {
  it: string;
  request?: unknown;
  output: (string | number)[][];
  expect: unknown;
  script?: string[];
}
interface FactFixture {
  kind: FactName;
  cases: FactCase[];
  fresh?: { request?: unknown; expect: unknown };
}

const DIR = join(ROOT, "test/fixtures/facts");
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({ file: f, data: parse(readFileSync(join(DIR, f), "utf8")) as FactFixture }));

function requestWith(kind: FactName, data: unknown): FactRequest {
  const req = emptyRequest();
  (req as Record<string, unknown>)[kind] = requestFrom(req[kind], data);
  return req;
}

describe("fact kinds (fixtures)", () => {
  it("has a fixture for every registered kind", () => {
    expect(fixtures.map((f) => f.data.kind).sort()).toEqual([...FACT_NAMES].sort());
  });
  for (const { file, data } of fixtures) {
    describe(`${data.kind} (${file})`, () => {
      for (const c of data.cases) {
        it(c.it, () => {
          const req = requestWith(data.kind, c.request);
          const facts = parseFacts(probeOutput(c.output), req);
          expect(plain(facts[data.kind])).toEqual(c.expect);
          const script = factScript(req);
          for (const s of c.script ?? []) expect(script).toContain(s);
        });
      }
      if (data.fresh) {
        const fresh = data.fresh;
        it("describes a blank FreeBSD host", () => {
          const req = requestWith(data.kind, fresh.request);
          expect(plain(freshFacts(req)[data.kind])).toEqual(fresh.expect);
        });
      }
    });
  }
});

describe("the probe", () => {
  it("gives each kind its own line tags", () => {
    const tags = Object.values(FACT_KINDS).flatMap((k) => [...k.tags]);
    expect(new Set(tags).size).toBe(tags.length);
  });
  it("asks nothing optional when nothing is requested, and ends with exit 0", () => {
    const script = factScript(emptyRequest());
    expect(script).not.toContain("psql");
    expect(script).not.toContain("ls -ld");
    expect(script.trimEnd().split("\n").at(-1)).toBe("exit 0");
  });
  it("reads the os line before anything reuses the positional parameters", () => {
    const req = requestWith("files", ["/etc/rc.conf"]);
    const script = factScript(req);
    expect(script.indexOf('client="${1:-')).toBeLessThan(script.indexOf("set -- ;"));
  });
  it("ignores lines of no kind (a login banner, a warning)", () => {
    const f = parseFacts("Welcome to FreeBSD!\nos\tsystem\tFreeBSD\nwarning: x\ty", emptyRequest());
    expect(f.os.system).toBe("FreeBSD");
  });
});

describe("the whole probe, run by /bin/sh", () => {
  // Real files and a real certificate in a temporary directory; /etc/passwd and /etc/group as
  // they are on this machine.
  const dir = mkdtempSync(join(tmpdir(), "provision-probe-"));
  writeFileSync(join(dir, "secret.conf"), "x\n", { mode: 0o640 });
  mkdirSync(join(dir, "data"), { mode: 0o750 });
  symlinkSync("secret.conf", join(dir, "link"));
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      ...["-subj", "/CN=matrix.example.org", "-days", "30", "-set_serial", "0x0A1B"],
    ],
    { stdio: "ignore" },
  );
  const req = emptyRequest();
  for (const f of ["secret.conf", "data", "link", "none"]) req.files.add(join(dir, f));
  req.certs.add(join(dir, "cert.pem"));
  req.certs.add(join(dir, "none.pem"));
  req.users.add("root");
  req.groups.add("root");
  const sh = (script: string) =>
    execFileSync("/bin/sh", ["-s"], {
      input: script,
      env: { PATH: process.env.PATH ?? "" },
    }).toString();
  const answers = sh(factScript(req));

  it("answers every kind as its fragment run alone does (fragments run side by side)", () => {
    const alone = FACT_NAMES.map((name) =>
      sh(`${(FACT_KINDS[name] as AnyFactKind).script(req[name]).join("\n")}\nexit 0\n`),
    ).join("");
    expect(plain(parseFacts(answers, req))).toEqual(plain(parseFacts(alone, req)));
  });
  it("reads modes, owners and hashes, and a certificate's expiry, serial and subject", () => {
    const facts = parseFacts(answers, req);
    expect(facts.files.get(join(dir, "secret.conf"))).toMatchObject({ type: "file", mode: "0640" });
    expect(facts.files.get(join(dir, "secret.conf"))?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(facts.files.get(join(dir, "data"))).toMatchObject({ type: "directory", mode: "0750" });
    expect(facts.files.get(join(dir, "link"))?.type).toBe("symlink");
    expect(facts.files.get(join(dir, "none"))).toBeNull();
    const cert = facts.certs.get(join(dir, "cert.pem"));
    expect(cert?.serial).toBe("0A1B");
    expect(cert?.subject).toMatch(/CN ?= ?matrix\.example\.org/);
    expect(cert?.notAfter.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(facts.certs.get(join(dir, "none.pem"))).toBeNull();
  });
  it("fails, rather than answering nothing, when it has nowhere to keep its answers", () => {
    expect(() =>
      execFileSync("/bin/sh", ["-s"], {
        input: factScript(req),
        env: { PATH: process.env.PATH ?? "", TMPDIR: join(dir, "missing") },
        stdio: ["pipe", "pipe", "ignore"],
      }),
    ).toThrow();
  });
});

describe("the os fragment, run by /bin/sh", () => {
  const run = (...args: string[]) =>
    parseFacts(
      execFileSync("/bin/sh", ["-s", ...args], {
        input: `${FACT_KINDS.os.script(true).join("\n")}\n`,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      }).toString(),
      emptyRequest(),
    ).os;
  it("takes the client address and the server port from $SSH_CLIENT passed as $1", () => {
    expect(run("203.0.113.5 51234 2222")).toMatchObject({
      sshClient: "203.0.113.5",
      sshPort: 2222,
    });
  });
  it("knows neither without an SSH connection", () => {
    const os = run();
    expect(os.sshClient).toBeUndefined();
    expect(os.sshPort).toBeUndefined();
  });
});

describe("the synapse fragment, run by /bin/sh", () => {
  it("reads server_name from the top level of homeserver.yaml, not a nested server_name", () => {
    const config = join(
      ROOT,
      "test/fixtures/golden/example/usr/local/etc/matrix-synapse/homeserver.yaml",
    );
    const req = { config };
    const out = execFileSync("/bin/sh", ["-s"], {
      input: `${FACT_KINDS.synapse.script(req).join("\n")}\n`,
    }).toString();
    expect(FACT_KINDS.synapse.parse(parseLines(out), req)).toEqual({
      serverName: "matrix.ourdomain.com",
      hasUsers: false,
    });
  });
});

function parseLines(out: string): string[][] {
  return out
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t"));
}
