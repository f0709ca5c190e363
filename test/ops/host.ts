import type { Host } from "../../src/inventory/types.js";
import { hostsFrom } from "../helpers/render.js";

/** One host, matrix, serving m.example.org: what the ops tests run against. */
export function opsHost(): Host {
  const [host] = hostsFrom(`all:
  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1] }
  hosts:
    matrix:
      server_name: m.example.org
      public_ipv4: 192.0.2.10
`);
  if (!host) throw new Error("no host");
  return host;
}
