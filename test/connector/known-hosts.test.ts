import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  addKnownHost,
  checkKnownHosts,
  fingerprint,
  hostKeyAlgorithms,
} from "../../src/connector/known-hosts.js";
import { loadPrivateKey } from "../../src/connector/private-key.js";
import { resolveSsh } from "../../src/connector/ssh.js";
import { UserError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "provision-kh-"));
const ed = {
  type: "ssh-ed25519",
  blob: "AAAAC3NzaC1lZDI1NTE5AAAAIBez9/suorgAxt1eke2hODVukTxwLVUvovLG9pM4MxfO",
};
const rsa = { type: "ssh-rsa", blob: "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7" };
let n = 0;
function kh(text: string): string {
  const f = join(dir, `kh-${n++}`);
  writeFileSync(f, text);
  return f;
}

describe("known_hosts as OpenSSH reads it", () => {
  it("a @revoked line after a plain entry for the same key wins", () => {
    const f = kh(`m.example.org ${ed.type} ${ed.blob}\n@revoked * ${ed.type} ${ed.blob}\n`);
    expect(checkKnownHosts(f, "m.example.org", 22, ed)).toEqual({ status: "revoked" });
  });

  it("a line with a misspelled marker is invalid, not trusted for every host", () => {
    const f = kh(`@revokd * ${ed.type} ${ed.blob}\n`);
    expect(checkKnownHosts(f, "any.example.org", 22, ed)).toEqual({
      status: "unknown",
      otherTypes: [],
    });
  });

  it("--accept-new-host-key appends on a new line when the last line has no newline", () => {
    const f = kh(`a.example.org ${rsa.type} ${rsa.blob}`);
    addKnownHost(f, "m.example.org", 22, ed);
    expect(readFileSync(f, "utf8")).toBe(
      `a.example.org ${rsa.type} ${rsa.blob}\nm.example.org ${ed.type} ${ed.blob}\n`,
    );
    expect(checkKnownHosts(f, "a.example.org", 22, rsa)).toEqual({ status: "match" });
    expect(checkKnownHosts(f, "m.example.org", 22, ed)).toEqual({ status: "match" });
  });

  it("an ed25519 key from a host whose RSA key is on record is not a changed key, and RSA is asked first", () => {
    const f = kh(`m.example.org ${rsa.type} ${rsa.blob}\n`);
    expect(checkKnownHosts(f, "m.example.org", 22, ed)).toEqual({
      status: "unknown",
      otherTypes: ["ssh-rsa"],
    });
    expect(hostKeyAlgorithms(f, "m.example.org", 22).slice(0, 4)).toEqual([
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
      "ssh-ed25519",
    ]);
    expect(hostKeyAlgorithms(f, "other.example.org", 22)[0]).toBe("ssh-ed25519");
    expect(checkKnownHosts(f, "m.example.org", 22, { ...rsa, blob: "AAAAB3other" }).status).toBe(
      "changed",
    );
  });

  it("shows an unknown key's fingerprint as ssh-keygen -l does", () => {
    const file = join(dir, "host_key");
    execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", file]);
    const pub = readFileSync(`${file}.pub`, "utf8").trim().split(" ");
    const expected = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`], {
      encoding: "utf8",
    }).split(" ")[1];
    expect(fingerprint({ type: pub[0] as string, blob: pub[1] as string })).toBe(expected);
  });

  it("a known_hosts path that is a directory is a clear error", () => {
    const d = join(dir, "khdir");
    mkdirSync(d);
    expect(() => checkKnownHosts(d, "m.example.org", 22, ed)).toThrow(
      /cannot read known_hosts .*khdir: is a directory, not a regular file/,
    );
  });
});

describe("ssh configuration and keys", () => {
  const base = { address: "m.example.org", port: 22, user: "root", become: "none" as const };
  it("Port 99999 in ~/.ssh/config is a clear error", () => {
    const config = join(dir, "config");
    writeFileSync(config, "Host m.example.org\n  Port 99999\n");
    expect(() => resolveSsh(base, new Set(), config)).toThrow(UserError);
    expect(() => resolveSsh(base, new Set(), config)).toThrow(
      "Port 99999 for m.example.org is out of range 1-65535",
    );
    writeFileSync(config, "Host m.example.org\n  Port ssh\n");
    expect(() => resolveSsh(base, new Set(), config)).toThrow("is not a port number");
  });

  it("a garbage or passphrase-protected ssh.key is a clear error, or left to the agent", async () => {
    const garbage = join(dir, "garbage");
    writeFileSync(garbage, "not a key\n");
    await expect(loadPrivateKey(garbage, "m", {})).rejects.toThrow(
      `SSH key ${garbage} for host m is not a private key ssh2 can read`,
    );
    const locked = join(dir, "locked");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "pass-phrase", "-f", locked]);
    await expect(loadPrivateKey(locked, "m", { ask: async () => undefined })).rejects.toThrow(
      "is protected by a passphrase and there is no terminal to ask for it",
    );
    expect(await loadPrivateKey(locked, "m", { agent: "/run/agent.sock" })).toEqual({
      agent: "/run/agent.sock",
    });
    await expect(loadPrivateKey(locked, "m", { ask: async () => "wrong" })).rejects.toThrow(
      "wrong passphrase",
    );
    const asked = await loadPrivateKey(locked, "m", { ask: async () => "pass-phrase" });
    expect(asked).toMatchObject({ passphrase: "pass-phrase" });
    // Hosts connect in parallel: the passphrase is asked once per key file.
    let questions = 0;
    const ask = async () => {
      questions++;
      return "pass-phrase";
    };
    const locked2 = join(dir, "locked2");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "pass-phrase", "-f", locked2]);
    await Promise.all([1, 2, 3].map(() => loadPrivateKey(locked2, "m", { ask })));
    expect(questions).toBe(1);
    await expect(loadPrivateKey(join(dir, "none"), "m", {})).rejects.toThrow("cannot read SSH key");
  });
});
