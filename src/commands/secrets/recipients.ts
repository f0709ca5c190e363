// Who can open the store: the age recipients recorded inside it (so they are covered by its seal
// and cannot be planted by someone who only edits files). Every write encrypts to all of them.
import type { Context } from "../../cli/context.js";
import { UserError } from "../../errors.js";
import { writeStore } from "../../secrets/store.js";
import { secretsView } from "../../views/secrets.js";
import { openStore, requireInventory, shortPath } from "./open.js";

async function validRecipient(r: string): Promise<string> {
  const { Encrypter } = await import("age-encryption");
  try {
    new Encrypter().addRecipient(r);
  } catch {
    throw new UserError(`'${r}' is not an age recipient (age1... as printed by age-keygen -y)`);
  }
  return r;
}

export async function run(ctx: Context, _opts: object, args: string[]): Promise<number> {
  const note = (...lines: string[]) => secretsView(ctx.out)({ type: "secrets_note", lines });
  const [action, ...given] = args;
  const { inventory } = requireInventory(ctx);
  const { data, identities, recipient } = await openStore(inventory, ctx.inventoryFile, ["weak"]);
  const store = shortPath(inventory.secrets.file);
  if (action === "list") {
    const rows = data.recipients.map((r) => ({
      recipient: r,
      sealed: Object.hasOwn(data.seal_keys, r),
      you: r === recipient,
    }));
    if (ctx.out.options.json) {
      ctx.out.document({ recipients: rows });
      return 0;
    }
    for (const r of rows) {
      note(
        `${r.recipient}${r.you ? " (you)" : ""}${r.sealed ? "" : " (not sealed yet: its holder runs `provision secrets init --reseal`)"}`,
      );
    }
    return 0;
  }
  if (given.length === 0) throw new UserError(`name at least one recipient to ${action}`);
  const changed: string[] = [];
  if (action === "add") {
    for (const r of given) {
      await validRecipient(r);
      if (!data.recipients.includes(r)) {
        data.recipients.push(r);
        changed.push(r);
      }
    }
  } else {
    for (const r of given) {
      if (r === recipient) {
        throw new UserError(
          "refusing to remove your own recipient: you could no longer open the store",
          {
            hint: "Remove it with another identity that stays a recipient.",
          },
        );
      }
      if (data.recipients.includes(r)) {
        data.recipients = data.recipients.filter((x) => x !== r);
        changed.push(r);
      } else {
        throw new UserError(`${r} is not a recipient of ${store}`);
      }
    }
  }
  if (changed.length > 0) await writeStore(inventory.secrets.file, data, identities);
  const verb = action === "add" ? "Added" : "Removed";
  note(
    changed.length === 0
      ? `Every recipient named is already in ${store}; nothing changed.`
      : `${verb} ${changed.length} recipient${changed.length === 1 ? "" : "s"}; ${store} is now encrypted to ${data.recipients.length}.`,
  );
  if (action === "add" && changed.length > 0) {
    note(
      "Each new recipient seals the store for their identity once, after checking it: `provision secrets init --reseal`.",
    );
  }
  if (action === "remove" && changed.length > 0) {
    note(
      "A removed identity can still read older copies (version control history) and knows the store's seal keys: rotate the secrets it could see, and move the remaining recipients to new identities if it must not be able to plant a store.",
    );
  }
  return 0;
}
