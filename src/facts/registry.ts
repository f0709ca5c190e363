// Every fact kind, in probe order (os first: later fragments reuse the positional parameters).
// Adding a kind = one file defining it plus its entry here; Facts and FactRequest follow.
import { certs } from "./certs.js";
import { createdDirs } from "./created-dirs.js";
import { files } from "./files.js";
import { groups } from "./groups.js";
import type { FactKind } from "./kind.js";
import { os } from "./os.js";
import { packages } from "./packages.js";
import { pendingHandlers } from "./pending-handlers.js";
import { pkgReady } from "./pkg-ready.js";
import { postgres } from "./postgres.js";
import { probes } from "./probes.js";
import { rc } from "./rc.js";
import { repoVersions } from "./repo-versions.js";
import { services } from "./services.js";
import { synapse } from "./synapse.js";
import { synapseReleases } from "./synapse-releases.js";
import { users } from "./users.js";
import { venvs } from "./venvs.js";

export const FACT_KINDS = {
  os,
  pkgReady,
  packages,
  repoVersions,
  rc,
  services,
  files,
  users,
  groups,
  venvs,
  synapseReleases,
  postgres,
  synapse,
  certs,
  createdDirs,
  pendingHandlers,
  probes,
} as const;

export type FactKinds = typeof FACT_KINDS;
export type FactName = keyof FactKinds;
// biome-ignore lint/suspicious/noExplicitAny: any kind, for iterating the registry
export type AnyFactKind = FactKind<any, any>;

export const FACT_NAMES = Object.keys(FACT_KINDS) as FactName[];
