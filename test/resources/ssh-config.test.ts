import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addKnownHost, checkKnownHosts, lookupName } from "../../src/connector/known-hosts.js";
import { cmd, q } from "../../src/connector/quote.js";
import { resolveSsh } from "../../src/connector/ssh.js";

const dir = mkdtempSync(join(tmpdir(), "provision-ssh-"));
const base = { address: "matrix.example.org", port: 22, user: "root", become: "none" as const };

describe("~/.ssh/config", () => {
  const config = join(dir, "config");
  writeFileSync(
    config,
    [
      "Host matrix.example.org",
      "  HostName 192.0.2.10",
      "  Port 2222",
      "  User admin",
      "  IdentityFile ~/.ssh/matrix_key",
      "  UserKnownHostsFile ~/.ssh/matrix_known",
      'Match exec "touch /tmp/should-not-run"',
      "  Port 9",
    ].join("\n"),
  );
  it("supplies what the inventory leaves open; Match exec never runs", () => {
    expect(resolveSsh(base, new Set(), config)).toEqual({
      host: "192.0.2.10",
      port: 2222,
      user: "admin",
      keyFile: `${homedir()}/.ssh/matrix_key`,
      knownHosts: `${homedir()}/.ssh/matrix_known`,
    });
  });
  it("yields to values the inventory sets", () => {
    const r = resolveSsh(
      { ...base, port: 2200, user: "root", key: "/keys/k", known_hosts: "/kh" },
      new Set(["port", "user"]),
      config,
    );
    expect(r).toEqual({
      host: "192.0.2.10",
      port: 2200,
      user: "root",
      keyFile: "/keys/k",
      knownHosts: "/kh",
    });
  });
});

describe("known_hosts", () => {
  const key = {
    type: "ssh-ed25519",
    blob: "AAAAC3NzaC1lZDI1NTE5AAAAIBez9/suorgAxt1eke2hODVukTxwLVUvovLG9pM4MxfO",
  };
  it("matches plain, [host]:port and wildcard entries, detects changed and revoked keys", () => {
    const f = join(dir, "kh");
    writeFileSync(f, `*.example.org,!bad.example.org ${key.type} ${key.blob}\n`);
    expect(checkKnownHosts(f, "m.example.org", 22, key)).toEqual({ status: "match" });
    expect(checkKnownHosts(f, "bad.example.org", 22, key)).toEqual({
      status: "unknown",
      otherTypes: [],
    });
    expect(checkKnownHosts(f, "m.example.org", 22, { ...key, blob: "AAAAother" })).toEqual({
      status: "changed",
      expected: [key],
    });
    addKnownHost(f, "127.0.0.1", 2222, key);
    expect(checkKnownHosts(f, "127.0.0.1", 2222, key)).toEqual({ status: "match" });
    expect(lookupName("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
    writeFileSync(f, `@revoked * ${key.type} ${key.blob}\n`);
    expect(checkKnownHosts(f, "m.example.org", 22, key)).toEqual({ status: "revoked" });
  });
  it("understands hashed host names", () => {
    // ssh-keygen -H form: |1|base64(salt)|base64(HMAC-SHA1(salt, name))
    const { createHmac } = require("node:crypto") as typeof import("node:crypto");
    const salt = Buffer.from("0123456789abcdefghij");
    const hash = createHmac("sha1", salt).update("matrix.example.org").digest("base64");
    const f = join(dir, "hashed");
    writeFileSync(f, `|1|${salt.toString("base64")}|${hash} ${key.type} ${key.blob}\n`);
    expect(checkKnownHosts(f, "matrix.example.org", 22, key)).toEqual({ status: "match" });
    expect(checkKnownHosts(f, "other.example.org", 22, key)).toEqual({
      status: "unknown",
      otherTypes: [],
    });
  });
});

describe("shell quoting", () => {
  it("leaves safe words alone and single-quotes the rest", () => {
    expect(q("sysrc")).toBe("sysrc");
    expect(q("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
    expect(cmd("pw", "useradd", "synapse", "-c", "Synapse Daemon")).toBe(
      "pw useradd synapse -c 'Synapse Daemon'",
    );
  });
});
