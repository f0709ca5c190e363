import type { Host } from "../inventory/types.js";
import { loadRecipe } from "../recipes/load.js";
import { buildContext } from "../render/context.js";
import { resourcesFor } from "../resources/factory.js";
import { PkgResource } from "../resources/pkg.js";
import { REQUIRED_SECRETS } from "../secrets/catalog.js";

/** The packages the host's recipes install, with the inventory's choices applied. */
export function neededPackages(host: Host): Set<string> {
  // Package names never depend on secrets: placeholders (as plan --assume-fresh has) will do.
  const placeholders = Object.fromEntries(
    REQUIRED_SECRETS.map((s) => [s.name, `placeholder-${s.name}-not-a-secret`]),
  );
  const parts = resourcesFor(loadRecipe("homeserver"), buildContext(host, placeholders));
  return new Set(
    parts.flatMap((p) => p.resources.flatMap((r) => (r instanceof PkgResource ? r.packages : []))),
  );
}
