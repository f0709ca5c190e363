import type { Context } from "../../cli/context.js";
import { selectHost } from "../../cli/select-hosts.js";
import { readSensitive } from "../../cli/stdin.js";
import { UserError } from "../../errors.js";
import { SECRET_NAME } from "../../secrets/catalog.js";
import { registerSecret, weakSecretReason } from "../../secrets/redact.js";
import {
  OLD_SIGNING_KEYS,
  retireSigningKey,
  signingKeyProblem,
  signingKeyPublic,
} from "../../secrets/signing-key.js";
import { writeStore } from "../../secrets/store.js";
import { describeControlChar, firstControlChar } from "../../util/text.js";
import { secretsView } from "../../views/secrets.js";
import { openStore, requireInventory, shortPath } from "./open.js";

export interface SecretsSetOptions {
  host?: string;
  force?: boolean;
}

export async function run(ctx: Context, opts: SecretsSetOptions, args: string[]): Promise<number> {
  const show = secretsView(ctx.out);
  const note = (...lines: string[]) => show({ type: "secrets_note", lines });
  const name = args[0] ?? "";
  if (!SECRET_NAME.test(name)) {
    throw new UserError(
      `secret name '${name}' is invalid; use lower-case letters, digits and _ (starting with a letter)`,
    );
  }
  if (name === OLD_SIGNING_KEYS) {
    throw new UserError(`'${OLD_SIGNING_KEYS}' is kept by provision itself`, {
      hint: "Replacing signing_key (with --force) records the old key there.",
    });
  }
  const { inventory } = requireInventory(ctx);
  const host = opts.host === undefined ? undefined : selectHost(inventory, opts.host).name;
  const value = await readSensitive({ what: `the value of ${name}`, repeat: true });
  const ctrl = value === "" ? undefined : firstControlChar(value);
  if (value === "" || ctrl !== undefined) {
    throw new UserError(
      `the secret value is ${ctrl ? `not one line: it contains ${describeControlChar(ctrl)}` : "empty"}`,
    );
  }
  const wrong = name === "signing_key" ? signingKeyProblem(value) : weakSecretReason(value);
  if (wrong) {
    throw new UserError(`refusing this value for ${name}: ${wrong}`, {
      hint:
        name === "signing_key"
          ? "Generate one with Synapse's generate_signing_key, or let `provision secrets init` do it."
          : "A secret must be hard to guess and distinct from ordinary words (it is blanked out of every output line): use e.g. `openssl rand -base64 32`.",
    });
  }
  registerSecret(value);
  const { data, identities } = await openStore(inventory, ctx.inventoryFile, ["weak"]);
  if (host && !Object.hasOwn(data.hosts, host)) data.hosts[host] = Object.create(null);
  const scope = host ? (data.hosts[host] as Record<string, string>) : data.shared;
  const previous = Object.hasOwn(scope, name) ? scope[name] : undefined;
  if (previous === value) {
    note(
      `${name}${host ? ` for host ${host}` : " (shared)"} already holds this value; nothing changed.`,
    );
    return 0;
  }
  if (name === "signing_key" && previous !== undefined) {
    if (opts.force !== true) {
      throw new UserError(
        `${name}${host ? ` for host ${host}` : ""} already exists: it is the server's identity, and other servers cache its public key`,
        {
          hint: "Replace it only if it leaked or was lost; run again with --force. The old key is kept in old_signing_keys so signatures made with it stay verifiable.",
        },
      );
    }
    if (signingKeyProblem(previous) === undefined) {
      if (signingKeyPublic(previous).id === signingKeyPublic(value).id) {
        throw new UserError(
          `the new signing key has the same key id as the one it replaces (${signingKeyPublic(value).id})`,
          {
            hint: "Give the new key its own id (Synapse's generate_signing_key picks a_ and 4 random characters).",
          },
        );
      }
      const old = Object.hasOwn(scope, OLD_SIGNING_KEYS) ? scope[OLD_SIGNING_KEYS] : undefined;
      scope[OLD_SIGNING_KEYS] = retireSigningKey(old, previous, Date.now());
    }
  }
  scope[name] = value;
  await writeStore(inventory.secrets.file, data, identities);
  show({
    type: "secret_stored",
    name,
    host,
    store: shortPath(inventory.secrets.file),
    ...(previous !== undefined ? { replaced: true } : {}),
  });
  if (name === "signing_key" && previous !== undefined) {
    note("The old signing key is kept in old_signing_keys; apply to publish it.");
  }
  const shadowing = host
    ? []
    : Object.keys(data.hosts).filter((h) => Object.hasOwn(data.hosts[h] ?? {}, name));
  if (shadowing.length > 0) {
    note(
      `Note: ${shadowing.join(", ")} ${shadowing.length === 1 ? "has its" : "have their"} own ${name}, which ${shadowing.length === 1 ? "takes" : "take"} precedence; use --host to change ${shadowing.length === 1 ? "it" : "them"}.`,
    );
  }
  return 0;
}
