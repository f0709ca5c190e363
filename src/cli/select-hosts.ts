import { UserError } from "../errors.js";
import type { Host, Inventory } from "../inventory/types.js";
import { didYouMean } from "../util/suggest.js";

/**
 * The hosts a command works on: all of them, or the one `--host` names. An unknown name stops
 * the command before anything is contacted, with the names that exist.
 */
export function selectHosts(inventory: Inventory, name: string | undefined): Host[] {
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
  return selectHosts(inventory, name)[0] as Host;
}
