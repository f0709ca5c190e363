// What a decrypted store may hold: its shape (values are strings, nothing else) and values that
// are safe to use (strong enough to redact, one line, Synapse's signing key format).
import { UserError } from "../errors.js";
import { describeControlChar, firstControlChar } from "../util/text.js";
import { dict, type SecretsData, type StoreProblem } from "./data.js";
import { weakSecretReason } from "./redact.js";
import { OLD_SIGNING_KEYS, parseOldSigningKeys, signingKeyProblem } from "./signing-key.js";

function layoutError(file: string, what: string): UserError {
  return new UserError(`secrets store ${file} ${what}`, {
    hint: "The store was not written by provision; restore it from version control or create a new one with `provision secrets init`.",
  });
}

/** Checks the decrypted JSON's shape: secret values are non-empty strings, nothing else. */
export function parseLayout(
  file: string,
  plain: string,
): { data: SecretsData; macs: Record<string, string>; legacy: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(plain);
  } catch {
    throw layoutError(file, "decrypts but is not valid JSON");
  }
  const r = raw as Record<string, unknown> | null;
  if (!r || typeof r !== "object" || (r.version !== 1 && r.version !== 2)) {
    throw layoutError(file, "has an unknown layout (expected version 2)");
  }
  const strings = (v: unknown, where: string): Record<string, string> => {
    if (!v || typeof v !== "object" || Array.isArray(v)) {
      throw layoutError(
        file,
        `has ${where} = ${v === null ? "null" : Array.isArray(v) ? "a list" : typeof v}, expected a mapping of names to values`,
      );
    }
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== "string") {
        const kind =
          x === null
            ? "null"
            : Array.isArray(x)
              ? "a list"
              : typeof x === "object"
                ? "a mapping"
                : `a ${typeof x}`;
        throw layoutError(file, `has ${where}.${k} = ${kind}; every secret value must be a string`);
      }
    }
    return dict(Object.entries(v as Record<string, string>));
  };
  const hostsRaw = r.hosts;
  if (!hostsRaw || typeof hostsRaw !== "object" || Array.isArray(hostsRaw)) {
    throw layoutError(
      file,
      `has hosts = ${hostsRaw === null ? "null" : typeof hostsRaw}, expected a mapping of host names`,
    );
  }
  const hosts = dict(
    Object.entries(hostsRaw).map(([h, v]) => [h, strings(v, `hosts.${h}`)] as const),
  );
  const shared = strings(r.shared, "shared");
  const v2 = r.version === 2;
  const recipients = v2 ? r.recipients : [];
  if (!Array.isArray(recipients) || recipients.some((x) => typeof x !== "string")) {
    throw layoutError(file, "has a recipients entry that is not a list of age recipients");
  }
  return {
    data: {
      version: 2,
      hosts,
      shared,
      recipients: recipients as string[],
      seal_keys: v2 ? strings(r.seal_keys, "seal_keys") : dict(),
    },
    macs: v2 ? strings(r.macs, "macs") : dict(),
    legacy: !v2,
  };
}

/** Values that cannot be used or redacted safely: too weak, or not what Synapse reads. */
export function valueProblems(data: SecretsData): StoreProblem[] {
  const out: StoreProblem[] = [];
  const scopes: [string, Record<string, string>][] = [
    ["shared", data.shared],
    ...Object.entries(data.hosts).map(
      ([h, s]) => [`host ${h}`, s] as [string, Record<string, string>],
    ),
  ];
  for (const [scope, secrets] of scopes) {
    for (const [name, value] of Object.entries(secrets)) {
      const ctrl = firstControlChar(value);
      const weak = ctrl
        ? `it contains ${describeControlChar(ctrl)}, which would break the config line it is written to`
        : name === OLD_SIGNING_KEYS
          ? undefined
          : weakSecretReason(value);
      let wrong: string | undefined;
      if (name === "signing_key") wrong = signingKeyProblem(value);
      if (name === OLD_SIGNING_KEYS) {
        try {
          parseOldSigningKeys(value);
        } catch (err) {
          wrong = (err as Error).message;
        }
      }
      if (weak || wrong) {
        out.push({
          kind: "weak",
          summary: `secret '${name}' (${scope}) cannot be used: ${wrong ?? weak}`,
          hint: `Replace it: \`provision secrets set ${name}${scope === "shared" ? "" : ` --host ${scope.slice(5)}`}\` (a long random value, e.g. from \`openssl rand -base64 32\`).`,
        });
      }
    }
  }
  return out;
}
