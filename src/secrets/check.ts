import { dirname, relative } from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { UserError } from "../errors.js";
import type { SecretUse } from "../inventory/load.js";
import type { Inventory } from "../inventory/types.js";
import { REQUIRED_SECRETS } from "./catalog.js";
import { identitySource, readIdentities } from "./identity.js";
import { lookupSecret, readStore, type SecretsData } from "./store.js";

export interface SecretsCheck {
  diagnostics: Diagnostic[];
  data?: SecretsData;
}

/**
 * Opens the store and checks it holds every secret the recipe needs and every { secret: NAME }
 * the inventory references. A missing store or identity is a warning here (CI may validate
 * without keys) unless `require` is set, as for commands that need the values.
 */
export async function checkSecrets(
  inv: Inventory,
  refs: SecretUse[],
  require: boolean,
): Promise<SecretsCheck> {
  const rel = relative(process.cwd(), inv.secrets.file);
  const storeName = rel && !rel.startsWith("..") ? rel : inv.secrets.file;
  const inventoryRange = {
    file: inv.file,
    start: { line: 1, column: 1 },
    end: { line: 1, column: 1 },
  };
  const severity = require ? "error" : "warning";
  const idSrc = identitySource(dirname(inv.file), inv.secrets.identityFile);
  let read: Awaited<ReturnType<typeof readStore>>;
  try {
    read = await readStore(inv.secrets.file, readIdentities(idSrc));
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const d: Diagnostic = { severity: "error", summary: err.message, range: inventoryRange };
    if (err.hint) d.detail = err.hint;
    return { diagnostics: [d] };
  }
  if (read.state === "missing") {
    return {
      diagnostics: [
        {
          severity,
          summary: `no secrets store at ${storeName}`,
          detail: require
            ? `Run \`provision secrets init -i ${inv.file}\` to generate it.`
            : `Run \`provision secrets init -i ${inv.file}\` to generate it. validate and \`plan --assume-fresh\` (with placeholder values) work without it; apply, render and a plan against a host need it.`,
          range: inventoryRange,
        },
      ],
    };
  }
  if (read.state === "locked") {
    return {
      diagnostics: [
        {
          severity,
          summary: require
            ? `cannot open secrets store ${storeName}: no age identity at ${idSrc.origin}`
            : `secrets store ${storeName} not checked: no age identity at ${idSrc.origin}`,
          detail:
            "Set PROVISION_AGE_IDENTITY_FILE (or PROVISION_AGE_IDENTITY) to the identity the store was created with.",
          range: inventoryRange,
        },
      ],
    };
  }
  const diagnostics: Diagnostic[] = read.problems.map((p) => ({
    severity: "error",
    summary: `${storeName}: ${p.summary}`,
    detail: p.hint,
    range: inventoryRange,
  }));
  for (const host of inv.hosts) {
    const missing = REQUIRED_SECRETS.filter(
      (s) => lookupSecret(read.data, host.name, s.name) === undefined,
    );
    if (missing.length > 0) {
      diagnostics.push({
        severity: "error",
        summary: `secrets store ${storeName} lacks ${missing.map((s) => s.name).join(", ")} for host '${host.name}'`,
        detail: `Run \`provision secrets init -i ${inv.file}\`: it adds what is missing and keeps existing values.`,
        range: inventoryRange,
      });
    }
  }
  for (const ref of refs) {
    if (lookupSecret(read.data, ref.host, ref.name) === undefined) {
      const d: Diagnostic = {
        severity: "error",
        summary: `secret '${ref.name}' is referenced but not in the secrets store ${storeName}`,
        detail: `Add it with \`provision secrets set ${ref.name} --host ${ref.host} -i ${inv.file}\` (value read from standard input).`,
        path: ref.path,
      };
      if (ref.range) d.range = ref.range;
      diagnostics.push(d);
    }
  }
  return { diagnostics, data: read.data };
}
