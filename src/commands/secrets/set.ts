import type { Context } from "../../cli/context.js";
import { selectHost } from "../../cli/select-hosts.js";
import { readSensitive } from "../../cli/stdin.js";
import { UserError } from "../../errors.js";
import { SECRET_NAME } from "../../secrets/catalog.js";
import { registerSecret } from "../../secrets/redact.js";
import { writeStore } from "../../secrets/store.js";
import { firstControlChar } from "../../util/text.js";
import { secretsView } from "../../views/secrets.js";
import { openStore, requireInventory, shortPath } from "./open.js";

export interface SecretsSetOptions {
  /** Store it for this host only; shared by all hosts without it. */
  host?: string;
}

export async function run(ctx: Context, opts: SecretsSetOptions, args: string[]): Promise<number> {
  const name = args[0] ?? "";
  if (!SECRET_NAME.test(name)) {
    throw new UserError(
      `secret name '${name}' is invalid; use lower-case letters, digits and _ (starting with a letter)`,
    );
  }
  const { inventory } = requireInventory(ctx);
  const host = opts.host === undefined ? undefined : selectHost(inventory, opts.host).name;
  const value = await readSensitive({ what: `the value of ${name}`, repeat: true });
  if (value === "" || firstControlChar(value) !== undefined) {
    throw new UserError(
      "the secret value is empty or contains control characters (line breaks, tabs)",
    );
  }
  registerSecret(value);
  const { data, identities } = await openStore(inventory, ctx.inventoryFile);
  if (host) {
    data.hosts[host] ??= {};
    (data.hosts[host] as Record<string, string>)[name] = value;
  } else {
    data.shared[name] = value;
  }
  await writeStore(inventory.secrets.file, data, identities);
  secretsView(ctx.out)({
    type: "secret_stored",
    name,
    host,
    store: shortPath(inventory.secrets.file),
  });
  return 0;
}
