import { describe, expect, it } from "vitest";
import { certificateState } from "../../src/resources/certificate.js";
import { acmeHint } from "../../src/views/acme-hints.js";
import { facts } from "../helpers/facts.js";

describe("ACME failures", () => {
  it("turns dehydrated's errors into what to do", () => {
    expect(
      acmeHint(
        'ERROR: Challenge is invalid! (returned: invalid) (result: {"type":"urn:ietf:params:acme:error:rateLimited"}',
      ),
    ).toMatch(/rate limit/);
    expect(acmeHint('"type": "urn:ietf:params:acme:error:invalidContact"')).toMatch(
      /contact e-mail/,
    );
    expect(acmeHint("DNS problem: NXDOMAIN looking up A for matrix.example.org")).toMatch(
      /A record pointing at public_ipv4/,
    );
    expect(acmeHint("Connection refused")).toMatch(/port 80 is reachable/);
    expect(
      acmeHint("curl: (60) SSL certificate problem: unable to get local issuer certificate"),
    ).toMatch(/acme_ca_bundle/);
    expect(
      acmeHint(
        "ERROR: Problem connecting to server (get for https://acme.example.org/dir; curl returned with 7)",
      ),
    ).toMatch(/cannot reach the ACME directory/);
    expect(acmeHint("something else entirely")).toBeUndefined();
  });
});

describe("certificate state", () => {
  const now = new Date("2026-11-27T00:00:00Z");
  const with_ = (notAfter: string) =>
    facts({
      certs: new Map([["/c.pem", { notAfter: new Date(notAfter), serial: "01", subject: "CN=x" }]]),
    });
  it("is missing, valid, or due within renew_days", () => {
    expect(certificateState(facts(), "/c.pem", 30, now)).toEqual({ due: true, text: "missing" });
    expect(certificateState(with_("2027-02-01T00:00:00Z"), "/c.pem", 30, now)).toEqual({
      due: false,
      text: "valid until 2027-02-01 (66 days)",
    });
    expect(certificateState(with_("2026-12-07T00:00:00Z"), "/c.pem", 30, now)).toEqual({
      due: true,
      text: "expires 2026-12-07, within 10 days (renewal due)",
    });
  });
});
