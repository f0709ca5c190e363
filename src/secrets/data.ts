// The decrypted store's content and how a secret is looked up in it.

/** Decrypted content: per-host secrets, plus shared ones any host may reference. */
export interface SecretsData {
  version: 2;
  hosts: Record<string, Record<string, string>>;
  shared: Record<string, string>;
  /** Every age recipient the store is encrypted to. */
  recipients: string[];
  /** Seal key per recipient (base64), derived from its identity; see sealKey. */
  seal_keys: Record<string, string>;
}

/** A reason the store must not be used as it is, with what to do. */
export interface StoreProblem {
  kind: "seal" | "weak";
  summary: string;
  hint: string;
}

export function emptyStore(): SecretsData {
  return { version: 2, hosts: dict(), shared: dict(), recipients: [], seal_keys: dict() };
}

/** Maps without a prototype: a secret named `constructor` or `__proto__` is only ever a key. */
export function dict<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

export function lookupSecret(data: SecretsData, host: string, name: string): string | undefined {
  const own = Object.hasOwn(data.hosts, host) ? data.hosts[host] : undefined;
  if (own && Object.hasOwn(own, name)) return own[name];
  return Object.hasOwn(data.shared, name) ? data.shared[name] : undefined;
}
