import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Host, HostConfig } from "../../src/inventory/types.js";
import type { Change } from "../../src/resources/types.js";
import { ROOT } from "../helpers/cli.js";
import { hostsFrom } from "../helpers/render.js";

const [example] = hostsFrom(readFileSync(join(ROOT, "inventory.example.yaml"), "utf8"));

/** The example inventory's host, with parts of its configuration replaced. */
export function host(over: Partial<HostConfig> = {}): Host {
  if (!example) throw new Error("the example inventory has no host");
  return { ...example, config: { ...example.config, ...over } };
}

/** A planned change as a resource would make it; tests set what the guard looks at. */
export function planned(over: Partial<Change> & Pick<Change, "type" | "name">): Change {
  return {
    address: `${over.type} ${over.name}`,
    recipe: "r",
    action: "update",
    summary: "",
    steps: [],
    notify: [],
    ...over,
  };
}
