import type { Context } from "../../cli/context.js";
import { UserError } from "../../errors.js";
import { REQUIRED_SECRETS } from "../../secrets/catalog.js";
import { createIdentityFile, identitySource, readIdentities } from "../../secrets/identity.js";
import { emptyStore, lookupSecret, readStore, writeStore } from "../../secrets/store.js";
import { secretsView } from "../../views/secrets.js";
import { inventoryDir, requireInventory, shortPath } from "./open.js";

export interface SecretsInitOptions {
  reseal?: boolean;
}

export async function run(ctx: Context, opts: SecretsInitOptions = {}): Promise<number> {
  const show = secretsView(ctx.out);
  const note = (...lines: string[]) => show({ type: "secrets_note", lines });
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
  const reseal = opts.reseal === true;
  const seal = read.state === "open" ? read.problems.find((p) => p.kind === "seal") : undefined;
  if (seal && !reseal) throw new UserError(seal.summary, { hint: seal.hint });
  const data = read.state === "open" ? read.data : emptyStore();
  const unlisted = read.state === "open" && data.recipients.length === 0;
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
  if (added.length > 0 || read.state === "missing" || reseal) {
    await writeStore(inventory.secrets.file, data, identities);
  }
  const store = shortPath(inventory.secrets.file);
  if (reseal && read.state === "open") {
    note(
      `Sealed secrets store ${store} for your identity; it is encrypted to ${data.recipients.length} recipient${data.recipients.length === 1 ? "" : "s"}.`,
    );
    if (unlisted) {
      note(
        "The store did not record its recipients (older format): it is now encrypted to yours only. Add the others with `provision secrets recipients add AGE1...`.",
      );
    }
  }
  if (added.length === 0) {
    if (!reseal) show({ type: "store_unchanged", store });
  } else show({ type: "store_written", store, created: read.state === "missing", added });
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
