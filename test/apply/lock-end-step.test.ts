// When a cut session's lock holder ends, the step it cut off is gone before the lock is: the next
// apply never runs beside the rest of it (a pip still writing where the rerun removes).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { endStepScript, registerStepScriptFor } from "../../src/apply/lock.js";

const alive = (pgid: number) => spawnSync("/bin/sh", ["-c", `kill -0 -${pgid}`]).status === 0;
const running = (pid: number) => spawnSync("/bin/sh", ["-c", `kill -0 ${pid}`]).status === 0;
/** The lock file as the holder `pid` writes it when it takes the lock. */
function lockFileOf(dir: string, pid: number): string {
  const file = join(dir, "lock");
  writeFileSync(
    file,
    `provision apply by alice@laptop pid 1 since now, process ${pid} on the host\n`,
  );
  return file;
}

/**
 * A step's files in a directory of its own (record, session-ended mark, a file its body touches)
 * and the script of a step under `holder`'s lock: the prefix, then `body` in a subshell.
 */
function stepFixture(holder = process.pid, lockHolder = holder) {
  const dir = mkdtempSync(join(tmpdir(), "provision-step-"));
  const [record, ended, ran] = ["step", "session-ended", "ran"].map((f) => join(dir, f)) as [
    string,
    string,
    string,
  ];
  const lock = lockFileOf(dir, lockHolder);
  const script = (body: string) =>
    `${registerStepScriptFor(record, ended, holder, lock)}\n(\n${body}\n)`;
  const run = (body: string) => spawnSync("/bin/sh", ["-c", script(body)], { encoding: "utf8" });
  return { dir, record, ended, ran, script, run };
}

describe("ending a cut step", () => {
  it("waits until every process of the step's group is gone, one slow to stop included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "provision-step-"));
    // A step (its own process group, as sshd's session gives it) whose child takes a second to stop.
    const step = spawn(
      "/bin/sh",
      ["-c", "sh -c 'trap \"sleep 1; exit 0\" TERM; while :; do sleep 0.1; done' & wait"],
      { detached: true, stdio: "ignore" },
    );
    const pgid = step.pid as number;
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pgid)).toBe(true);
    const file = join(dir, "step");
    writeFileSync(file, `${pgid}\n`);
    const t0 = Date.now();
    // Not spawnSync: this process must go on reaping the step, as sshd does on the host.
    const ended = spawn("/bin/sh", ["-c", endStepScript(file)], { stdio: "ignore" });
    const code = await new Promise((r) => ended.on("close", r));
    expect(code).toBe(0);
    expect(alive(pgid)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it("a step whose shell starts after the holder looked for it stops by itself, running nothing", () => {
    const { record, ended, ran, run } = stepFixture();
    // While the session lives, the step runs and its record goes with it.
    let r = run(`touch ${ran}`);
    expect(r.status).toBe(0);
    expect(existsSync(ran)).toBe(true);
    expect(existsSync(record)).toBe(false);
    // The holder has ended (its session died) and looked: the late step does nothing.
    writeFileSync(ended, "");
    r = run(`rm ${ran}`);
    expect(r.status).toBe(75);
    expect(r.stderr).toContain("the session that started this step has ended");
    expect(existsSync(ran)).toBe(true);
    expect(existsSync(record)).toBe(false);
  });

  it("a step later still, once the next command has taken the lock and cleared the mark, finds its holder gone and stops", () => {
    // The holder of the cut session: a process that has ended (lockf let go when it did).
    const gone = spawnSync("/bin/sh", ["-c", "echo $$"], { encoding: "utf8" });
    const holder = Number(gone.stdout.trim());
    expect(running(holder)).toBe(false);
    const { record, ran, run } = stepFixture(holder);
    const r = run(`touch ${ran}`);
    expect(r.status).toBe(75);
    expect(r.stderr).toContain("the session that started this step has ended");
    expect(existsSync(ran)).toBe(false);
    expect(existsSync(record)).toBe(false);
  });

  it("a step whose holder's pid now belongs to another process stops: the lock file names another holder", () => {
    // This process stands for the new owner of the old holder's pid; the next holder wrote its own.
    const { record, ran, run } = stepFixture(process.pid, process.pid + 1_000_000);
    const r = run(`touch ${ran}`);
    expect(r.status).toBe(75);
    expect(existsSync(ran)).toBe(false);
    expect(existsSync(record)).toBe(false);
  });

  it("a late step whose session's pipes are gone leaves no record behind (the message's write may end its shell)", async () => {
    const { record, ended, ran, script } = stepFixture();
    writeFileSync(ended, "");
    // stderr is a pipe nobody reads any more by the time the step gets to its check, as when
    // sshd has gone with the session.
    const step = spawn("/bin/sh", ["-c", `sleep 0.5\n${script(`touch ${ran}`)}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    step.stderr?.destroy();
    await new Promise((r) => step.on("close", r));
    expect(existsSync(record)).toBe(false);
    expect(existsSync(ran)).toBe(false);
  });
});
