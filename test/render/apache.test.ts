// The rendered Apache configuration, read by Debian's real apache2: syntax check, then a short
// foreground run that proxies /_matrix to a local backend. FreeBSD paths and module locations
// are mapped to Debian's here, in the test, never in the templates.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, hasCommand, selfSigned, startProcess, waitFor } from "../helpers/procs.js";
import { EVERYTHING_ON, fileOf, hostsFrom, renderMap } from "../helpers/render.js";

const APACHE = "/usr/sbin/apache2";
const available = hasCommand(APACHE);
if (!available)
  console.warn(
    "skipping Apache tests: apache2 is not installed (npm test installs it on Debian as root)",
  );

/** Modules compiled into Debian's apache2 (apache2 -l): their LoadModule lines must go. */
function builtinModules(): string[] {
  const out = spawnSync(APACHE, ["-l"], { encoding: "utf8" }).stdout;
  return [...out.matchAll(/mod_(\w+)\.c/g)].map((m) => `${m[1]}_module`);
}

interface Mapped {
  root: string;
  conf: string;
  ports: { http: number; https: number; federation: number; backend: number };
  acmeDir: string;
}

/** Writes the rendered config under a scratch root with Debian paths and loopback ports. */
async function mapConfig(
  httpd: string,
  ssl: string,
  hostname: string,
  federationPort: number,
): Promise<Mapped> {
  const root = mkdtempSync(join(tmpdir(), "provision-apache-"));
  chmodSync(root, 0o755); // Apache's children run as www-data and must reach the web roots.
  const ports = {
    http: await freePort(),
    https: await freePort(),
    federation: await freePort(),
    backend: await freePort(),
  };
  for (const d of [
    "etc/apache24/extra",
    "etc/apache24/Includes",
    "www/matrix",
    "www/dehydrated/",
    "logs",
    "run",
    `certs/${hostname}`,
  ]) {
    mkdirSync(join(root, d), { recursive: true });
  }
  copyFileSync("/etc/mime.types", join(root, "etc/apache24/mime.types"));
  selfSigned(join(root, `certs/${hostname}`), hostname);
  const builtins = new Set(builtinModules());
  const map = (text: string) =>
    text
      .replace(/^LoadModule (\w+) .*$/gm, (line, mod: string) =>
        builtins.has(mod) ? `# built in: ${mod}` : line,
      )
      .replace(/libexec\/apache24\/(mod_\w+\.so)/g, "/usr/lib/apache2/modules/$1")
      .replace(/^ServerRoot .*$/m, `ServerRoot "${root}"`)
      .replace(/^User www$/m, "User www-data")
      .replace(/^Group www$/m, "Group www-data")
      .replaceAll("/usr/local/etc/dehydrated/certs/", `${root}/certs/`)
      .replaceAll("/usr/local/www/", `${root}/www/`)
      .replaceAll("/var/log/", `${root}/logs/`)
      .replaceAll("/var/run/", `${root}/run/`)
      .replace(/^Listen 80$/m, `Listen 127.0.0.1:${ports.http}`)
      .replace(/^Listen 443$/m, `Listen 127.0.0.1:${ports.https}`)
      .replace(
        new RegExp(`^Listen ${federationPort}$`, "m"),
        `Listen 127.0.0.1:${ports.federation}`,
      )
      .replaceAll("<VirtualHost *:80>", `<VirtualHost *:${ports.http}>`)
      .replaceAll("<VirtualHost *:443>", `<VirtualHost *:${ports.https}>`)
      .replaceAll(`<VirtualHost *:${federationPort}>`, `<VirtualHost *:${ports.federation}>`)
      .replaceAll("http://127.0.0.1:8008/", `http://127.0.0.1:${ports.backend}/`);
  const conf = join(root, "etc/apache24/httpd.conf");
  writeFileSync(conf, map(httpd));
  writeFileSync(join(root, "etc/apache24/extra/httpd-matrix-ssl.conf"), map(ssl));
  return { root, conf, ports, acmeDir: join(root, "www/dehydrated") };
}

function get(
  url: string,
  headers: Record<string, string>,
  tls: boolean,
): Promise<IncomingMessage & { body: string }> {
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(
      url,
      { headers, rejectUnauthorized: false, servername: headers.Host },
      (res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve(Object.assign(res, { body })));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(!available)("Apache configuration with Debian's apache2", () => {
  const [host] = hostsFrom(EVERYTHING_ON);
  if (!host) throw new Error("no host");
  const files = renderMap(host);
  const httpd = fileOf(files, "/usr/local/etc/apache24/httpd.conf");
  const ssl = fileOf(files, "/usr/local/etc/apache24/extra/httpd-matrix-ssl.conf");
  let m: Mapped;
  let apache: ReturnType<typeof startProcess> | undefined;
  const seen: { url: string; proto: string | undefined; host: string | undefined }[] = [];
  const backend = createServer((req, res) => {
    seen.push({
      url: req.url ?? "",
      proto: req.headers["x-forwarded-proto"] as string,
      host: req.headers.host,
    });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ versions: ["v1.11"], backend: true }));
  });

  beforeAll(async () => {
    m = await mapConfig(httpd, ssl, "chat.example.net", 8449);
    await new Promise<void>((r) => backend.listen(m.ports.backend, "127.0.0.1", r));
  });
  afterAll(async () => {
    await apache?.stop();
    backend.close();
  });

  it("passes apache2 -t", () => {
    const r = spawnSync(APACHE, ["-t", "-f", m.conf], { encoding: "utf8" });
    expect(r.stderr.trim()).toBe("Syntax OK");
    expect(r.status).toBe(0);
  });

  it("proxies /_matrix over TLS with nocanon and X-Forwarded-Proto, redirects port 80, serves ACME challenges", async () => {
    apache = startProcess(APACHE, ["-f", m.conf, "-DFOREGROUND"]);
    await waitFor("apache to listen", async () => {
      const r = await get(
        `https://127.0.0.1:${m.ports.https}/`,
        { Host: "chat.example.net" },
        true,
      );
      return r.statusCode ? r : undefined;
    });
    // An encoded room ID must reach Synapse byte for byte (AllowEncodedSlashes NoDecode + nocanon).
    const path = "/_matrix/client/v3/rooms/%21abc%2Fdef%3Aexample.net/state";
    const res = await get(
      `https://127.0.0.1:${m.ports.https}${path}`,
      { Host: "chat.example.net" },
      true,
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ versions: ["v1.11"], backend: true });
    expect(seen.at(-1)).toEqual({ url: path, proto: "https", host: "chat.example.net" });

    const fed = await get(
      `https://127.0.0.1:${m.ports.federation}/_matrix/federation/v1/version`,
      { Host: "chat.example.net" },
      true,
    );
    expect(fed.statusCode).toBe(200);
    expect(seen.at(-1)?.url).toBe("/_matrix/federation/v1/version");

    const redirect = await get(
      `http://127.0.0.1:${m.ports.http}/_matrix/client/versions`,
      { Host: "chat.example.net" },
      false,
    );
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe("https://chat.example.net/_matrix/client/versions");

    writeFileSync(join(m.acmeDir, "token-123"), "token-123.thumbprint");
    const challenge = await get(
      `http://127.0.0.1:${m.ports.http}/.well-known/acme-challenge/token-123`,
      { Host: "chat.example.net" },
      false,
    );
    expect(challenge.statusCode).toBe(200);
    expect(challenge.body).toBe("token-123.thumbprint");

    mkdirSync(join(m.root, "www/matrix/.well-known/matrix"), { recursive: true });
    writeFileSync(
      join(m.root, "www/matrix/.well-known/matrix/server"),
      fileOf(files, "/usr/local/www/matrix/.well-known/matrix/server"),
    );
    const wk = await get(
      `https://127.0.0.1:${m.ports.https}/.well-known/matrix/server`,
      { Host: "chat.example.net" },
      true,
    );
    expect(wk.statusCode).toBe(200);
    expect(wk.headers["content-type"]).toBe("application/json");
    expect(wk.headers["access-control-allow-origin"]).toBe("*");
    expect(JSON.parse(wk.body)).toEqual({ "m.server": "chat.example.net:8449" });
  });

  it("serves HTTP only while no certificate exists (first issuance needs no hand edit)", () => {
    const bare = mkdtempSync(join(tmpdir(), "provision-apache-nocert-"));
    const conf = join(bare, "httpd.conf");
    writeFileSync(conf, httpd_noCert(m, bare));
    const r = spawnSync(APACHE, ["-t", "-D", "DUMP_VHOSTS", "-f", conf], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`:${m.ports.http}`);
    expect(r.stdout).not.toContain(`:${m.ports.https}`);
  });

  function httpd_noCert(mapped: Mapped, dir: string): string {
    const text = spawnSync("cat", [mapped.conf], { encoding: "utf8" }).stdout;
    return text.replaceAll(`${mapped.root}/certs/`, `${dir}/missing-certs/`);
  }
});
