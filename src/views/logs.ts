// provision logs: the host's log lines, escaped for the terminal by Output, or one `log_line`
// event each with --json.
import type { Output } from "./output.js";

export function logsView(out: Output, host: string, source: string): (line: string) => void {
  return (line) => {
    if (out.options.json) out.event("info", line, "log_line", { host, source, line });
    else out.line(line);
  };
}

export function logsMissing(out: Output, host: string, message: string): void {
  if (out.options.json) out.event("warning", message, "log_missing", { host });
  else out.error(`${host}: ${message}`);
}
