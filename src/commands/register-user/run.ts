import { createHmac } from "node:crypto";
import type { Context } from "../../cli/context.js";
import { requireInventory } from "../../cli/require-inventory.js";
import { selectHost } from "../../cli/select-hosts.js";
import { readSensitive } from "../../cli/stdin.js";
import { connectHost } from "../../connector/connect-host.js";
import { EXIT_OK, UserError } from "../../errors.js";
import { registerSecret } from "../../secrets/redact.js";
import { lookupSecret } from "../../secrets/store.js";
import { firstControlChar } from "../../util/text.js";
import { registerUserView } from "../../views/register-user.js";
import { openStore } from "../secrets/open.js";

const ADMIN_API = "http://127.0.0.1:8008/_synapse/admin/v1/register";

/** Synapse's shared-secret registration MAC: HMAC-SHA1 over nonce, user, password, admin flag. */
export function registrationMac(
  secret: string,
  nonce: string,
  user: string,
  password: string,
  admin: boolean,
): string {
  return createHmac("sha1", secret)
    .update([nonce, user, password, admin ? "admin" : "notadmin"].join("\0"))
    .digest("hex");
}

export interface RegisterUserOptions {
  host: string;
  user: string;
  admin?: boolean;
  acceptNewHostKey?: boolean;
}

export async function run(ctx: Context, opts: RegisterUserOptions): Promise<number> {
  const { user } = opts;
  const admin = opts.admin === true;
  if (!/^[a-z0-9._=/-]+$/.test(user))
    throw new UserError(
      `'${user}' is not a valid Matrix localpart (lower-case letters, digits, . _ = - /)`,
    );
  const { inventory } = requireInventory(ctx);
  const host = selectHost(inventory, opts.host);
  const password = await readSensitive({ what: `the password for ${user}`, repeat: true });
  if (password.length < 8 || firstControlChar(password))
    throw new UserError("the password needs at least 8 characters and no control characters");
  registerSecret(password);
  const store = await openStore(inventory, ctx.inventoryFile);
  const secret = lookupSecret(store.data, host.name, "registration_shared_secret");
  if (!secret)
    throw new UserError(`the secrets store has no registration_shared_secret for ${host.name}`);
  const conn = await connectHost(host, { acceptNewHostKey: opts.acceptNewHostKey === true });
  try {
    const nonceRes = await conn.exec(`curl -sf ${ADMIN_API}`);
    const nonce = (JSON.parse(nonceRes.stdout || "{}") as { nonce?: string }).nonce;
    if (nonceRes.code !== 0 || !nonce)
      throw new UserError(`Synapse on ${host.name} does not answer on 127.0.0.1:8008`, {
        hint: "Check `service synapse status` on the host, or run `provision apply`.",
      });
    const body = JSON.stringify({
      nonce,
      username: user,
      password,
      admin,
      mac: registrationMac(secret, nonce, user, password, admin),
    });
    // The request body (with the password) travels on the script's standard input, never as an argument.
    const r = await conn.exec(
      `curl -s -X POST -H 'Content-Type: application/json' --data-binary @- ${ADMIN_API} <<'PROVISION_BODY'\n${body}\nPROVISION_BODY\n`,
    );
    const reply = JSON.parse(r.stdout || "{}") as {
      user_id?: string;
      error?: string;
      errcode?: string;
    };
    if (!reply.user_id)
      throw new UserError(
        `registration of ${user} on ${host.name} failed: ${reply.error ?? (r.stderr.trim() || "no answer")}`,
      );
    registerUserView(ctx.out)({
      type: "user_registered",
      host: host.name,
      userId: reply.user_id,
      admin,
    });
    return EXIT_OK;
  } finally {
    await conn.close();
  }
}
