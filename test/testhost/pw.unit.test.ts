// pw(8) of the test host against a temporary root. References: src:usr.sbin/pw/pw_user.c
// (pw_user_add, pw_user_mod, shell_path, group_from_name_or_id; idx 690327693),
// src:usr.sbin/pw/tests/pw_useradd.sh@a8620477800b, pw_usershow.sh@477129542c07.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRoot } from "./emu.js";

let host: ReturnType<typeof makeRoot>;
const pw = (...args: string[]) => host.run("/usr/sbin/pw", args);
const line = (file: string, name: string) =>
  host
    .read(file)
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));

beforeEach(() => {
  host = makeRoot();
});
afterEach(() => host.cleanup());

describe("pw useradd", () => {
  it("adds a user with its own group, prints nothing, refuses a duplicate with 65", () => {
    expect(
      pw(
        "useradd",
        "synapse",
        "-d",
        "/nonexistent",
        "-s",
        "/usr/sbin/nologin",
        "-c",
        "Synapse Daemon",
      ),
    ).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(line("/etc/passwd", "synapse")).toBe(
      "synapse:x:1001:1001:Synapse Daemon:/nonexistent:/usr/sbin/nologin",
    );
    expect(line("/etc/group", "synapse")).toBe("synapse:x:1001:");
    expect(line("/etc/shadow", "synapse")).toMatch(/^synapse:\*:/);
    expect(pw("usershow", "synapse").stdout).toBe(
      "synapse:*:1001:1001::0:0:Synapse Daemon:/nonexistent:/usr/sbin/nologin\n",
    );
    expect(pw("useradd", "synapse")).toMatchObject({
      code: 65,
      stderr: "pw: login name `synapse' already exists\n",
    });
  });
  it("resolves a shell given by name in /bin only: nologin by name fails with 78 (shell_path)", () => {
    expect(pw("useradd", "x1", "-s", "nologin")).toMatchObject({
      code: 78,
      stderr: "pw: no default shell available or defined\n",
    });
    expect(line("/etc/passwd", "x1")).toBeUndefined();
    expect(pw("useradd", "x2", "-s", "/no/such/shell").code).toBe(0);
  });
  it("rejects a colon in the comment with 65 and an unknown group with 67", () => {
    expect(pw("useradd", "x3", "-c", "a:b").code).toBe(65);
    expect(pw("useradd", "x4", "-g", "nogroup")).toMatchObject({
      code: 67,
      stderr: "pw: group `nogroup' does not exist\n",
    });
  });
  it("usershow of an unknown user exits 67", () => {
    expect(pw("usershow", "ghost")).toMatchObject({
      code: 67,
      stderr: "pw: no such user `ghost'\n",
    });
  });
});

describe("pw usermod", () => {
  beforeEach(() => {
    expect(pw("useradd", "coturn", "-d", "/nonexistent", "-s", "/usr/sbin/nologin").code).toBe(0);
    expect(pw("groupadd", "certs").code).toBe(0);
    expect(pw("groupadd", "other", "-M", "coturn").code).toBe(0);
  });
  it("changes home, shell and comment; warns when the new home does not exist (pw_user_mod)", () => {
    const r = pw(
      "usermod",
      "coturn",
      "-d",
      "/var/db/coturn",
      "-s",
      "/bin/sh",
      "-c",
      "coturn daemon",
    );
    expect(r).toEqual({
      code: 0,
      stdout: "",
      stderr: "pw: WARNING: home `/var/db/coturn' does not exist\n",
    });
    expect(line("/etc/passwd", "coturn")).toBe(
      "coturn:x:1001:1001:coturn daemon:/var/db/coturn:/bin/sh",
    );
  });
  it("-m creates the new home", () => {
    expect(pw("usermod", "coturn", "-d", "/var/db/coturn", "-m")).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    expect(host.sh(`test -d "$TESTHOST_ROOT/var/db/coturn"`).code).toBe(0);
  });
  it("-G sets exactly the listed secondary groups; -g sets the primary group", () => {
    expect(pw("usermod", "coturn", "-G", "certs").code).toBe(0);
    expect(line("/etc/group", "certs")).toBe("certs:x:1002:coturn");
    expect(line("/etc/group", "other")).toBe("other:x:1003:");
    expect(pw("usermod", "coturn", "-g", "certs").code).toBe(0);
    expect(line("/etc/passwd", "coturn")).toBe(
      "coturn:x:1001:1002:User &:/nonexistent:/usr/sbin/nologin",
    );
  });
  it("an unknown user exits 67, an unknown group 67, a shell name not in /bin 78", () => {
    expect(pw("usermod", "ghost", "-s", "/bin/sh")).toMatchObject({
      code: 67,
      stderr: "pw: no such user `ghost'\n",
    });
    expect(pw("usermod", "coturn", "-G", "certs,nogroup")).toMatchObject({
      code: 67,
      stderr: "pw: group `nogroup' does not exist\n",
    });
    expect(line("/etc/group", "certs")).toBe("certs:x:1002:");
    expect(pw("usermod", "coturn", "-s", "nologin").code).toBe(78);
  });
});
