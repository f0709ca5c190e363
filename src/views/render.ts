import { join } from "node:path";
import type { Output } from "./output.js";

export type RenderEvent = { type: "rendered"; host: string; files: number; dir: string };

export function renderView(out: Output): (e: RenderEvent) => void {
  return (e) => {
    const text = `Rendered ${e.files} files for ${e.host} into ${join(e.dir, e.host)}/ (see MANIFEST).`;
    if (out.options.json)
      out.event("info", text, e.type, {
        host: e.host,
        files: e.files,
        dir: join(e.dir, e.host),
        manifest: join(e.dir, e.host, "MANIFEST"),
      });
    else out.line(text);
  };
}
