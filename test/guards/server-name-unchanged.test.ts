import { describe, expect, it } from "vitest";
import { emptyRequest } from "../../src/facts/types.js";
import { PATHS } from "../../src/freebsd/paths.js";
import { serverNameUnchanged } from "../../src/guards/server-name-unchanged.js";
import { facts } from "../helpers/facts.js";
import { host, planned } from "./common.js";

const conf = planned({ type: "file", name: PATHS.synapseConf });
const running = (serverName: string, hasUsers: boolean) =>
  facts({ synapse: { serverName, hasUsers } });

describe("server-name-unchanged", () => {
  it("refuses to change server_name once Synapse's database holds accounts", () => {
    const h = host({ server_name: "new.example.org" });
    expect(serverNameUnchanged.check(h, running("matrix.ourdomain.com", true), [conf], {})).toEqual(
      [
        {
          severity: "error",
          summary:
            "matrix: server_name would change from matrix.ourdomain.com to new.example.org, but Synapse's database already holds accounts; every user and room would become unreachable",
          detail:
            "Set server_name back to matrix.ourdomain.com in the inventory. A new server_name needs a new, empty database (a new homeserver).",
        },
      ],
    );
  });
  it("lets a host without accounts, a first install or an unchanged name through", () => {
    const h = host({ server_name: "new.example.org" });
    expect(
      serverNameUnchanged.check(h, running("matrix.ourdomain.com", false), [conf], {}),
    ).toEqual([]);
    expect(serverNameUnchanged.check(h, facts(), [conf], {})).toEqual([]);
    expect(
      serverNameUnchanged.check(host(), running("matrix.ourdomain.com", true), [conf], {}),
    ).toEqual([]);
  });
  it("says nothing when the plan does not rewrite homeserver.yaml", () => {
    const h = host({ server_name: "new.example.org" });
    expect(serverNameUnchanged.check(h, running("matrix.ourdomain.com", true), [], {})).toEqual([]);
  });
  it("asks for the installed server_name and the database's accounts", () => {
    const req = emptyRequest();
    serverNameUnchanged.request?.(req, host());
    expect(req.synapse).toEqual({ config: PATHS.synapseConf, database: "synapse" });
  });
});
