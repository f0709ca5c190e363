import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadInventory } from "../../src/inventory/load.js";
import type { Host } from "../../src/inventory/types.js";
import { type RenderedFile, renderFiles } from "../../src/render/files.js";
import { REQUIRED_SECRETS } from "../../src/secrets/catalog.js";

/** Deterministic secrets, so rendered files can be compared with golden copies. */
export function fixedSecrets(extra: Record<string, string> = {}): Record<string, string> {
  const s: Record<string, string> = {};
  for (const spec of REQUIRED_SECRETS)
    s[spec.name] = `test-${spec.name.replace(/_/g, "-")}-0123456789`;
  s.signing_key = "ed25519 a_test AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  return { ...s, ...extra };
}

/** Loads an inventory given as text; fails loudly when it is not valid. */
export function hostsFrom(text: string): Host[] {
  const dir = mkdtempSync(join(tmpdir(), "provision-render-"));
  const file = join(dir, "inventory.yaml");
  writeFileSync(file, text);
  const r = loadInventory(file);
  if (!r.inventory)
    throw new Error(`test inventory invalid: ${JSON.stringify(r.diagnostics, null, 2)}`);
  return r.inventory.hosts;
}

export function renderMap(host: Host, secrets = fixedSecrets()): Map<string, RenderedFile> {
  return new Map(renderFiles(host, secrets).map((f) => [f.path, f]));
}

export function fileOf(files: Map<string, RenderedFile>, path: string): string {
  const f = files.get(path);
  if (!f) throw new Error(`not rendered: ${path}; have ${[...files.keys()].join(", ")}`);
  return f.content;
}

/** An inventory with every option switched on and values that differ from all defaults. */
export const EVERYTHING_ON = `all:
  vars:
    admin_email: ops@example.net
    management_cidrs: [198.51.100.0/24, "2001:db8:77::/48"]
    versions: { python: "3.12", postgresql: 16, synapse: "1.150.1" }
    synapse:
      registration: true
      guest_access: true
      max_upload_size: 100M
      url_previews: true
      metrics: true
      presence: false
      report_stats: true
      federation_port: 8449
      well_known: true
      log_level: WARNING
      email:
        notifications: true
        smtp_host: smtp.example.net
        smtp_port: 587
        smtp_user: matrix
        smtp_password: { secret: smtp_password }
        require_transport_security: true
        notif_from: "Example Chat <chat@example.net>"
        app_name: Example Chat
    turn:
      realm: turn.example.net
      port: 3479
      tls_port: 5350
      min_port: 40000
      max_port: 40999
      user_quota: 8
      total_quota: 800
      user_lifetime: 2h
      allow_guests: true
    certificates:
      acme_directory: https://acme-staging-v02.api.letsencrypt.org/directory
      acme_ca_bundle: /usr/local/etc/ssl/test-ca.pem
      contact_email: certs@example.net
      renew_schedule: "5 9 * * 2"
      renew_days: 20
      key_algo: rsa
    firewall: { ipv6: true, ssh_port: 2222 }
    backup: { postgres_daily: false, vacuum_daily: true, dir: /var/backups/pg, keep_days: 3 }
    dns: { search: example.net }
  hosts:
    chat:
      server_name: example.net
      public_hostname: chat.example.net
      public_ipv4: 192.0.2.44
      public_ipv6: "2001:db8::44"
`;
