import type { Context } from "../../cli/context.js";
import { UserError } from "../../errors.js";
import { REQUIRED_SECRETS } from "../../secrets/catalog.js";
import { createIdentityFile, identitySource, readIdentities } from "../../secrets/identity.js";
import { emptyStore, lookupSecret, readStore, writeStore } from "../../secrets/store.js";
import { secretsView } from "../../views/secrets.js";
import { inventoryDir, requireInventory, shortPath } from "./open.js";

export async function run(ctx: Context): Promise<number> {
  const show = secretsView(ctx.out);
  const { inventory, loaded } = requireInventory(ctx);
  const src = identitySource(inventoryDir(inventory), inventory.secrets.identityFile);
  let identities = readIdentities(src);
  let createdIdentity = false;
  if (!identities) {
    if (!src.file) throw new UserError("no age identity available");
    const { identity, recipient } = await createIdentityFile(src.file);
    identities = [identity];
    createdIdentity = true;
    show({ type: "identity_created", file: shortPath(src.file), recipient });
  }
  const read = await readStore(inventory.secrets.file, identities);
  if (read.state === "locked") throw new UserError("no identity to open the secrets store");
  const data = read.state === "open" ? read.data : emptyStore();
  const added: string[] = [];
  for (const host of inventory.hosts) {
    for (const spec of REQUIRED_SECRETS) {
      if (lookupSecret(data, host.name, spec.name) !== undefined) continue;
      data.hosts[host.name] ??= {};
      (data.hosts[host.name] as Record<string, string>)[spec.name] = spec.generate();
      added.push(`${host.name}: ${spec.name}`);
    }
  }
  const unresolved = loaded.secretRefs.filter(
    (r) => lookupSecret(data, r.host, r.name) === undefined,
  );
  if (added.length > 0 || read.state === "missing") {
    await writeStore(inventory.secrets.file, data, identities);
  }
  const store = shortPath(inventory.secrets.file);
  if (added.length === 0) show({ type: "store_unchanged", store });
  else show({ type: "store_written", store, created: read.state === "missing", added });
  for (const r of unresolved)
    show({
      type: "secret_missing",
      name: r.name,
      path: r.path,
      host: r.host,
      inventory: ctx.inventoryFile,
    });
  if (createdIdentity) show({ type: "identity_reminder" });
  return unresolved.length > 0 ? 1 : 0;
}
