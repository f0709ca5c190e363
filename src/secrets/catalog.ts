import { randomBytes } from "node:crypto";

/** Secrets every homeserver needs; `provision secrets init` generates them with the system CSPRNG. */
export interface SecretSpec {
  name: string;
  description: string;
  generate: () => string;
}

const token = (bytes: number) => () => randomBytes(bytes).toString("base64url");

/** Synapse's signing key file format: "ed25519 <key id> <unpadded base64 seed>". */
function signingKey(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const id = [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join("");
  return `ed25519 a_${id} ${randomBytes(32).toString("base64").replace(/=+$/, "")}`;
}

export const REQUIRED_SECRETS: readonly SecretSpec[] = [
  {
    name: "turn_shared_secret",
    description: "coturn static-auth-secret, shared with Synapse",
    generate: () => randomBytes(32).toString("hex"),
  },
  {
    name: "registration_shared_secret",
    description: "Synapse registration_shared_secret (admin registration)",
    generate: token(32),
  },
  {
    name: "macaroon_secret_key",
    description: "Synapse macaroon_secret_key (access tokens)",
    generate: token(32),
  },
  { name: "form_secret", description: "Synapse form_secret (consent forms)", generate: token(32) },
  {
    name: "postgres_password",
    description: "password of Synapse's PostgreSQL role",
    generate: token(24),
  },
  {
    name: "signing_key",
    description: "Synapse's ed25519 signing key (server identity; back it up)",
    generate: signingKey,
  },
];

export const SECRET_NAME = /^[a-z][a-z0-9_]{0,63}$/;
