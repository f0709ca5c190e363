import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { confirm } from "../../src/cli/confirm.js";
import { UserError } from "../../src/errors.js";

/** A terminal that answers `answer` to the question. */
function terminal(answer: string, isTTY = true) {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let asked = "";
  output.on("data", (d: Buffer) => {
    asked += d.toString();
  });
  input.end(`${answer}\n`);
  return { input, output, asked: () => asked };
}

describe("confirm", () => {
  it("continues only on the word 'yes', not on 'y' or 'YES'", async () => {
    const ask = (answer: string) =>
      confirm("Apply these changes to matrix?", { command: "apply" }, terminal(answer));
    expect(await ask("yes")).toBe(true);
    expect(await ask("  yes ")).toBe(true);
    expect(await ask("y")).toBe(false);
    expect(await ask("YES")).toBe(false);
    expect(await ask("")).toBe(false);
  });

  it("says which answer continues", async () => {
    const t = terminal("no");
    await confirm("Apply these changes to matrix?", { command: "apply" }, t);
    expect(t.asked()).toBe("Apply these changes to matrix? Only 'yes' continues: ");
  });

  it("stops with what to do when there is no terminal, and skips the question with --yes", async () => {
    const noTty = terminal("yes", false);
    await expect(confirm("Go?", { command: "apply" }, noTty)).rejects.toThrow(UserError);
    await expect(confirm("Go?", { command: "apply" }, noTty)).rejects.toThrow(
      "apply asks for confirmation, but standard input is not a terminal",
    );
    expect(await confirm("Go?", { command: "apply", yes: true }, noTty)).toBe(true);
  });
});
