// A generated fleet: the example inventory's settings with N hosts spread over region groups
// (children of `all`), as a large deployment would write it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.js";

export const REGIONS = ["europe", "america", "asia", "africa"] as const;

/** Host i lives in REGIONS[i % 4]; its name is `<region>-NNNN`. */
export function fleetHostName(i: number): string {
  return `${REGIONS[i % REGIONS.length]}-${String(i).padStart(4, "0")}`;
}

export function writeFleetInventory(file: string, count: number): void {
  const example = readFileSync(join(ROOT, "inventory.example.yaml"), "utf8");
  const vars = example.slice(example.indexOf("all:\n"), example.indexOf("  hosts:\n"));
  const groups = REGIONS.map((region) => {
    const hosts: string[] = [];
    for (let i = 0; i < count; i++) {
      if (REGIONS[i % REGIONS.length] !== region) continue;
      const name = fleetHostName(i);
      const ip = `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`;
      hosts.push(
        `        ${name}:\n          server_name: ${name}.example.org\n          public_ipv4: ${ip}\n`,
      );
    }
    return `    ${region}:\n      hosts:\n${hosts.join("")}`;
  });
  writeFileSync(file, `${vars}  children:\n${groups.join("")}`);
}
