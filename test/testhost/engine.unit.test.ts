// The engine's locks are taken over only from a process that is gone: kill(pid, 0) failing with
// EPERM means the process runs under another user (kill(2)), not that it is gone.
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { alive } from "../../testhost/src/engine.js";

afterEach(() => {
  vi.restoreAllMocks();
});

const failing = (code: string) => () => {
  throw Object.assign(new Error(`kill: ${code}`), { code });
};

describe("alive", () => {
  it("is true for a running process and false for one that has ended", () => {
    expect(alive(process.pid)).toBe(true);
    const ended = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
    expect(alive(Number(ended.stdout.trim()))).toBe(false);
  });

  it("is true when the process belongs to another user (EPERM), false when there is none (ESRCH)", () => {
    vi.spyOn(process, "kill").mockImplementation(failing("EPERM"));
    expect(alive(4242)).toBe(true);
    vi.spyOn(process, "kill").mockImplementation(failing("ESRCH"));
    expect(alive(4242)).toBe(false);
  });
});
