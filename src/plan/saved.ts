// A saved plan (`plan --out FILE`, `apply FILE`): per host the facts the plan was made from and
// a fingerprint of its changes, never a secret. apply re-gathers the facts under the lock and
// runs only when nothing differs, so what was reviewed is what runs.
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { UserError } from "../errors.js";
import type { Facts } from "../facts/types.js";
import type { Change } from "../resources/types.js";
import { redact } from "../secrets/redact.js";
import type { HostSession } from "./session.js";

export const SAVED_PLAN_FORMAT = "provision-plan";

export interface SavedHost {
  host: string;
  address: string;
  /** sha256 of the changes: addresses, actions, file paths, modes and content hashes. */
  fingerprint: string;
  /** The facts, flattened to `path: value`; values that could hold secrets are hashed. */
  facts: Record<string, string>;
  /** What the plan holds, for people reading the file. */
  changes: { address: string; action: string; summary: string }[];
}

export interface SavedPlan {
  format: typeof SAVED_PLAN_FORMAT;
  format_version: 1;
  provision: string;
  created: string;
  hosts: SavedHost[];
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Facts keys whose values are secrets or derived from them: only their hash is kept. */
const SENSITIVE_KEY = /verifier|password|secret|token|private/i;

/** `{files: Map{"/etc/rc.conf" => {sha256}}}` -> `{"files[/etc/rc.conf].sha256": "..."}` */
export function flattenFacts(facts: Facts): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, path: string, sensitive: boolean): void => {
    if (value instanceof Map) {
      for (const [k, v] of value) walk(v, `${path}[${String(k)}]`, sensitive);
    } else if (value instanceof Set || Array.isArray(value)) {
      out[path] = JSON.stringify([...value].map(String).sort());
    } else if (value instanceof Date) {
      out[path] = value.toISOString();
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value))
        walk(v, path ? `${path}.${k}` : k, sensitive || SENSITIVE_KEY.test(k));
    } else {
      const text = String(value);
      out[path] = sensitive ? `sha256:${sha256(text)}` : text;
    }
  };
  walk(facts, "", false);
  return out;
}

/**
 * What identifies a plan's changes without their secrets: the same facts and inputs give the
 * same fingerprint. Exec scripts count by description (a password's verifier is salted afresh
 * each time); written files by path, owner, group, mode and content hash.
 */
export function fingerprint(changes: Change[]): string {
  const shape = changes.map((c) => ({
    address: c.address,
    action: c.action,
    steps: c.steps.map((s) =>
      s.kind === "write" ? [s.path, s.owner, s.group, s.mode, sha256(s.content)] : [s.description],
    ),
  }));
  return sha256(JSON.stringify(shape));
}

export function savedPlan(hosts: HostSession[], version: string, now = new Date()): SavedPlan {
  return {
    format: SAVED_PLAN_FORMAT,
    format_version: 1,
    provision: version,
    created: now.toISOString(),
    hosts: hosts.map((hs) => {
      if (!hs.facts) throw new Error(`no facts for ${hs.host.name}`);
      return {
        host: hs.host.name,
        address: hs.plan.address,
        fingerprint: fingerprint(hs.plan.changes),
        facts: flattenFacts(hs.facts),
        changes: hs.plan.changes.map((c) => ({
          address: c.address,
          action: c.action,
          summary: c.summary,
        })),
      };
    }),
  };
}

/** Written readable by its owner only (temp + rename), passed through redaction once more. */
export function writeSavedPlan(file: string, plan: SavedPlan): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${redact(JSON.stringify(plan, null, 1))}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function readSavedPlan(file: string): SavedPlan {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read the saved plan ${file}: ${(err as Error).message}`, {
      hint: "Make one with `provision plan --out FILE`.",
    });
  }
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text) as SavedPlan;
  } catch {
    plan = {} as SavedPlan;
  }
  if (plan.format !== SAVED_PLAN_FORMAT || plan.format_version !== 1 || !Array.isArray(plan.hosts))
    throw new UserError(`${file} is not a saved plan of this provision`, {
      hint: "Make one with `provision plan --out FILE`.",
    });
  return plan;
}

/** How one host differs from its saved plan: changed facts and whether the changes differ. */
export interface HostDrift {
  host: string;
  facts: string[];
  changesDiffer: boolean;
}

export function planDrift(saved: SavedHost, now: HostSession): HostDrift | undefined {
  const current = now.facts ? flattenFacts(now.facts) : {};
  const facts: string[] = [];
  for (const key of new Set([...Object.keys(saved.facts), ...Object.keys(current)])) {
    const [before, after] = [saved.facts[key], current[key]];
    if (before === after) continue;
    const shown = (v: string | undefined) =>
      v === undefined ? "(absent)" : v.startsWith("sha256:") ? "(hidden)" : v;
    facts.push(`${key}: ${shown(before)} -> ${shown(after)}`);
  }
  const changesDiffer = fingerprint(now.plan.changes) !== saved.fingerprint;
  return facts.length > 0 || changesDiffer ? { host: saved.host, facts, changesDiffer } : undefined;
}
