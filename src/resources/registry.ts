// Every resource type a recipe may use. Adding a type = one file exporting its descriptor plus
// its entry here.
import { certificateType } from "./certificate.js";
import { commandType } from "./command.js";
import type { ResourceType } from "./descriptor.js";
import { dhparamType } from "./dhparam.js";
import { directoryType } from "./directory.js";
import { fileType } from "./file.js";
import { groupType } from "./group.js";
import { pgDatabaseType } from "./pg-database.js";
import { pgRoleType } from "./pg-role.js";
import { pipType } from "./pip.js";
import { pkgType } from "./pkg.js";
import { serviceType } from "./service.js";
import { sysrcType } from "./sysrc.js";
import { userType } from "./user.js";
import { virtualenvType } from "./virtualenv.js";

export const RESOURCE_REGISTRY: readonly ResourceType[] = [
  fileType,
  directoryType,
  pkgType,
  sysrcType,
  serviceType,
  userType,
  groupType,
  virtualenvType,
  pipType,
  pgRoleType,
  pgDatabaseType,
  dhparamType,
  certificateType,
  commandType,
];

const BY_TYPE = new Map(RESOURCE_REGISTRY.map((t) => [t.type, t]));

export function resourceType(type: string): ResourceType | undefined {
  return BY_TYPE.get(type);
}
