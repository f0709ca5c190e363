import { describe, expect, it } from "vitest";
import { cronScheduleError } from "../../src/util/cron.js";
import { isDnsName, isEmail, parseCidr } from "../../src/util/net.js";
import { didYouMean } from "../../src/util/suggest.js";

describe("network helpers", () => {
  it("parses CIDRs and finds host bits", () => {
    expect(parseCidr("10.1.2.3/8")).toMatchObject({
      family: 4,
      prefix: 8,
      network: "10.0.0.0/8",
      hostBitsSet: true,
    });
    expect(parseCidr("10.0.0.0/8")?.hostBitsSet).toBe(false);
    expect(parseCidr("192.0.2.7")).toMatchObject({ prefix: 32, hostBitsSet: false });
    expect(parseCidr("2001:db8::1/64")).toMatchObject({
      family: 6,
      network: "2001:db8::/64",
      hostBitsSet: true,
    });
    expect(parseCidr("2001:db8:0:0:1::/64")?.hostBitsSet).toBe(true);
    expect(parseCidr("::ffff:192.0.2.1/128")?.family).toBe(6);
    for (const bad of ["10.0.0.0/33", "10.0.0/8", "foo", "10.0.0.0/8/1", "10.0.0.0/-1", "::/129"]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });

  it("checks DNS names and e-mail addresses", () => {
    expect(isDnsName("matrix.example.org", 2)).toBe(true);
    expect(isDnsName("localhost", 2)).toBe(false);
    expect(isDnsName("-bad.example.org")).toBe(false);
    expect(isDnsName("Matrix.example.org")).toBe(false);
    expect(isDnsName("1.2.3.4")).toBe(false);
    expect(isEmail("a.b+c@example.org")).toBe(true);
    expect(isEmail("a@b")).toBe(false);
    expect(isEmail('"quoted"@example.org')).toBe(false);
  });
});

describe("cron schedules", () => {
  it("accepts FreeBSD cron syntax", () => {
    for (const ok of [
      "17 3 * * *",
      "*/15 * * * *",
      "5 9 * * 2",
      "0 0 1,15 jan-jun mon-fri",
      "0 4 * * 7",
    ]) {
      expect(cronScheduleError(ok), ok).toBeUndefined();
    }
  });
  it("says what is wrong", () => {
    expect(cronScheduleError("* * *")).toBe(
      "a cron schedule has 5 fields (minute hour day month weekday), found 3",
    );
    expect(cronScheduleError("0 24 * * *")).toBe("hour field '24' is out of range 0-23");
    expect(cronScheduleError("0 0 * foo *")).toBe("month field 'foo' is out of range 1-12");
    expect(cronScheduleError("*/0 * * * *")).toBe("minute field '*/0' has a step of 0");
  });
});

describe("did you mean", () => {
  it("suggests close keys only", () => {
    expect(didYouMean("public_ip", ["public_ipv4", "public_ipv6", "server_name"])).toBe(
      "public_ipv4",
    );
    expect(didYouMean("presense", ["presence", "metrics"])).toBe("presence");
    expect(didYouMean("zzz", ["presence", "metrics"])).toBeUndefined();
  });
});
