import { UserError } from "../errors.js";
import type { Host, Inventory } from "../inventory/types.js";
import { didYouMean } from "../util/suggest.js";
import { limitHosts } from "./limit.js";

/** How a command names its hosts: `--host NAME` (one) or `--limit PATTERN` (Ansible's). */
export interface HostChoice {
  host?: string;
  limit?: string;
}

/**
 * The hosts a command works on: all of them, the one `--host` names, or those a `--limit`
 * pattern selects (cli/limit.ts). The two options exclude each other. An unknown name stops the
 * command before anything is contacted, with the names that exist.
 */
export function selectHosts(inventory: Inventory, choice: HostChoice = {}): Host[] {
  const { host: name, limit } = choice;
  if (name !== undefined && limit !== undefined)
    throw new UserError("--host and --limit exclude each other", {
      hint: "--host NAME is a shorthand for --limit NAME: keep one of them.",
    });
  if (limit !== undefined) return limitHosts(inventory, limit);
  if (name === undefined) return inventory.hosts;
  const host = inventory.hosts.find((h) => h.name === name);
  if (host) return [host];
  const names = inventory.hosts.map((h) => h.name);
  const guess = didYouMean(name, names);
  throw new UserError(`no host '${name}' in ${inventory.file}`, {
    hint: `${guess ? `Did you mean '${guess}'? ` : ""}Hosts: ${names.join(", ")}`,
  });
}

/** Exactly one host, for commands that take a required --host. */
export function selectHost(inventory: Inventory, name: string): Host {
  return selectHosts(inventory, { host: name })[0] as Host;
}
