// The ERROR lines the real-Synapse tests accept: only the exit report of a daemonized Synapse,
// as homeserver.log holds it after `service synapse stop` (Synapse 1.160.0, measured).
import { describe, expect, it } from "vitest";
import { synapseErrors } from "./matrix.js";

const at = "2026-11-28 03:32:02,006 - twisted - 273 - ERROR - sentinel - ";
const EXIT_REPORT = [
  "Exception ignored in atexit callback <function daemonize_process.<locals>.exit at 0x7fb2a50f62a0>:",
  "Traceback (most recent call last):",
  '  File "/usr/lib/python3/dist-packages/synapse/util/daemonize.py", line 161, in exit',
  "    sys.exit(0)",
  "SystemExit: 0",
].map((l) => at + l);
const INFO = "2026-11-28 03:32:01,900 - synapse.app.homeserver - 120 - INFO - main - Stopping";

describe("synapseErrors", () => {
  it("drops the daemonize exit report only", () => {
    expect(synapseErrors([INFO, ...EXIT_REPORT, INFO].join("\n"))).toEqual([]);
    expect(synapseErrors([...EXIT_REPORT, ...EXIT_REPORT].join("\n"))).toEqual([]);
  });

  it("keeps every other ERROR line, also a traceback ending otherwise", () => {
    const other = `${at}Database connection failed`;
    expect(synapseErrors([other, ...EXIT_REPORT].join("\n"))).toEqual([other]);
    const failed = [...EXIT_REPORT.slice(0, 4), `${at}SystemExit: 1`];
    expect(synapseErrors(failed.join("\n"))).toEqual(failed);
  });
});
