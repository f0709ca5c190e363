import { describe, expect, it } from "vitest";
import { renderString } from "../../src/render/engine.js";
import { lookup } from "../../src/render/files.js";

describe("template engine", () => {
  it("fails on a missing variable instead of rendering an empty string", () => {
    expect(() => renderString("port={{turn.port}}", { turn: {} }, "t")).toThrow(
      /template t: .*"port" not defined/,
    );
  });
  it("does not HTML-escape", () => {
    expect(renderString("{{v}}", { v: `<a href="x">&` })).toBe(`<a href="x">&`);
  });
  it("quote gives a JSON/YAML double-quoted string", () => {
    expect(renderString("{{quote v}}", { v: `say "hi" \\ ok` })).toBe(`"say \\"hi\\" \\\\ ok"`);
  });
  it("join joins lists and refuses non-lists", () => {
    expect(renderString(`{{join l ", "}}`, { l: ["a", "b"] })).toBe("a, b");
    expect(() => renderString(`{{join l ","}}`, { l: "ab" })).toThrow(/join: expected a list/);
  });
  it("lookup resolves recipe conditions and rejects unknown names", () => {
    expect(lookup({ turn: { enabled: true } }, "turn.enabled")).toBe(true);
    expect(() => lookup({ turn: {} }, "turn.enabeld")).toThrow(/unknown value 'turn.enabeld'/);
  });
});
