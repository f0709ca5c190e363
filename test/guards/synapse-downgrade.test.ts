import { describe, expect, it } from "vitest";
import { emptyRequest } from "../../src/facts/types.js";
import { PATHS } from "../../src/freebsd/paths.js";
import { synapseDowngrade } from "../../src/guards/synapse-downgrade.js";
import { facts } from "../helpers/facts.js";
import { host, planned } from "./common.js";

const withSynapse = (version: string) =>
  facts({ venvs: new Map([[PATHS.synapseVenv, new Map([["matrix-synapse", version]])]]) });
const wants = (synapse: string) => host({ versions: { ...host().config.versions, synapse } });
const pip = (v: string) => planned({ type: "pip", name: `matrix-synapse==${v}` });

describe("synapse-downgrade", () => {
  it("refuses to install an older Synapse than the installed one, hinting to pin it", () => {
    expect(
      synapseDowngrade.check(wants("1.150.0"), withSynapse("1.157.0"), [pip("1.150.0")], {}),
    ).toEqual([
      {
        severity: "error",
        summary:
          "matrix: Synapse 1.157.0 is installed and the inventory asks for 1.150.0; Synapse's database schema may not go back to an older version",
        detail: "Pin the installed version: set versions.synapse to 1.157.0 in the inventory.",
      },
    ]);
  });
  it("compares versions numerically, not as text", () => {
    expect(
      synapseDowngrade.check(wants("1.99.0"), withSynapse("1.100.0"), [pip("1.99.0")], {}),
    ).toHaveLength(1);
    expect(
      synapseDowngrade.check(wants("1.100.0"), withSynapse("1.99.0"), [pip("1.100.0")], {}),
    ).toEqual([]);
  });
  it("lets an upgrade, a fresh install, or an allowed downgrade through", () => {
    expect(synapseDowngrade.check(wants("1.150.0"), facts(), [pip("1.150.0")], {})).toEqual([]);
    expect(
      synapseDowngrade.check(wants("1.150.0"), withSynapse("1.157.0"), [pip("1.150.0")], {
        allowDowngrade: true,
      }),
    ).toEqual([]);
  });
  it("asks for the virtualenv's distributions", () => {
    const req = emptyRequest();
    synapseDowngrade.request?.(req, host());
    expect([...req.venvs]).toEqual([PATHS.synapseVenv]);
  });
});
