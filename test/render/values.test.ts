// Inventory values reach the right lines of the right files.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EVERYTHING_ON, fileOf, fixedSecrets, hostsFrom, renderMap } from "../helpers/render.js";

const [host] = hostsFrom(EVERYTHING_ON);
if (!host) throw new Error("no host");
const files = renderMap(host, fixedSecrets({ smtp_password: "test-smtp-pass" }));
const lines = (path: string) => fileOf(files, path).split("\n");

describe("inventory values in rendered files", () => {
  it("firewall: SSH port and management networks (v4 and v6), TURN ports and relay range, federation, IPv6", () => {
    // Rules without the script's "" prefix.
    const fw = lines("/etc/rc.firewall.matrix").map((l) => l.replace(/^\$\{fwcmd\} add /, ""));
    expect(fw).toContain("2000 allow tcp from 198.51.100.0/24 to me 2222 setup");
    expect(fw).toContain("2000 allow tcp from 2001:db8:77::/48 to me6 2222 setup");
    expect(fw.filter((l) => / to me6? 22 /.test(l))).toEqual([]);
    expect(fw).toContain("3100 allow tcp from any to me 8449 setup");
    // ACME http-01 needs port 80 open: the firewall never closes it.
    expect(fw).toContain("3000 allow tcp from any to me 80 setup");
    expect(fw).toContain("4000 allow udp from any to me 3479 keep-state");
    expect(fw).toContain("4000 allow tcp from any to me 5350 setup");
    expect(fw).toContain("4100 allow udp from any to me 40000-40999");
    expect(fw).toContain("5300 allow udp from any to me6 40000-40999");
    expect(fw).not.toContain("600 deny ip6 from any to any");
    expect(fw).toContain("1300 allow ipv6-icmp from any to any");
    expect(fw.at(-2)).toBe("65000 deny ip from any to any");
  });

  it("coturn: ports, range (equal to the firewall's), addresses, realm, quotas, secret", () => {
    const t = lines("/usr/local/etc/turnserver.conf");
    for (const l of [
      "listening-port=3479",
      "tls-listening-port=5350",
      "listening-ip=192.0.2.44",
      "relay-ip=192.0.2.44",
      "listening-ip=2001:db8::44",
      "min-port=40000",
      "max-port=40999",
      "realm=turn.example.net",
      "user-quota=8",
      "total-quota=800",
      "static-auth-secret=test-turn-shared-secret-0123456789",
      "allowed-peer-ip=192.0.2.44",
      "denied-peer-ip=10.0.0.0-10.255.255.255",
    ]) {
      expect(t, l).toContain(l);
    }
  });

  it("homeserver.yaml: names, listeners, database, registration, TURN, e-mail, secrets", () => {
    const hs = parse(fileOf(files, "/usr/local/etc/matrix-synapse/homeserver.yaml"));
    expect(hs.server_name).toBe("example.net");
    expect(hs.public_baseurl).toBe("https://chat.example.net/");
    expect(hs.listeners).toEqual([
      {
        port: 8008,
        type: "http",
        tls: false,
        x_forwarded: true,
        bind_addresses: ["127.0.0.1"],
        resources: [{ names: ["client", "federation"], compress: false }],
      },
      { port: 9000, type: "metrics", bind_addresses: ["127.0.0.1"] },
    ]);
    expect(hs.database.args).toMatchObject({
      user: "synapse",
      dbname: "synapse",
      password: "test-postgres-password-0123456789",
    });
    expect(hs).toMatchObject({
      enable_registration: true,
      enable_registration_without_verification: true,
      allow_guest_access: true,
      max_upload_size: "100M",
      url_preview_enabled: true,
      enable_metrics: true,
      report_stats: true,
      presence: { enabled: false },
      turn_shared_secret: "test-turn-shared-secret-0123456789",
      turn_user_lifetime: "2h",
      turn_allow_guests: true,
      registration_shared_secret: "test-registration-shared-secret-0123456789",
      macaroon_secret_key: "test-macaroon-secret-key-0123456789",
      form_secret: "test-form-secret-0123456789",
      signing_key_path: "/usr/local/etc/matrix-synapse/example.net.signing.key",
    });
    expect(hs.turn_uris).toEqual([
      "turns:chat.example.net:5350?transport=tcp",
      "turn:chat.example.net:3479?transport=udp",
      "turn:chat.example.net:3479?transport=tcp",
    ]);
    expect(hs.email).toMatchObject({
      smtp_host: "smtp.example.net",
      smtp_port: "587",
      smtp_user: "matrix",
      smtp_pass: "test-smtp-pass",
      require_transport_security: true,
      notif_from: "Example Chat <chat@example.net>",
      app_name: "Example Chat",
    });
    expect(hs.url_preview_ip_range_blacklist).toContain("10.0.0.0/8");
    expect(parse(fileOf(files, "/usr/local/etc/matrix-synapse/log.config")).root.level).toBe(
      "WARNING",
    );
  });

  it("rc.d script runs the virtualenv's Python of the inventory's version", () => {
    expect(lines("/usr/local/etc/rc.d/synapse")).toContain(
      'procname="/usr/local/lib/matrix-synapse/venv/bin/python3.12"',
    );
  });

  it("PostgreSQL files land in the data directory of the inventory's major", () => {
    expect(files.has("/var/db/postgres/data16/pg_hba.conf")).toBe(true);
  });

  it("Apache: names, federation port, admin, well-known delegation", () => {
    const httpd = lines("/usr/local/etc/apache24/httpd.conf");
    expect(httpd).toContain("ServerName chat.example.net");
    expect(httpd).toContain("ServerAdmin ops@example.net");
    expect(httpd).toContain(
      '<IfFile "/usr/local/etc/dehydrated/certs/chat.example.net/fullchain.pem">',
    );
    const ssl = lines("/usr/local/etc/apache24/extra/httpd-matrix-ssl.conf");
    expect(ssl).toContain("Listen 8449");
    expect(ssl).toContain("<VirtualHost *:8449>");
    expect(JSON.parse(fileOf(files, "/usr/local/www/matrix/.well-known/matrix/client"))).toEqual({
      "m.homeserver": { base_url: "https://chat.example.net/" },
    });
  });

  it("dehydrated: CA, contact, key type, renewal window and schedule; CA bundle for private CAs", () => {
    const cfg = lines("/usr/local/etc/dehydrated/config");
    expect(cfg).toContain('CA="https://acme-staging-v02.api.letsencrypt.org/directory"');
    expect(cfg).toContain('CONTACT_EMAIL="certs@example.net"');
    expect(cfg).toContain('KEY_ALGO="rsa"');
    expect(cfg).toContain('RENEW_DAYS="20"');
    expect(cfg).toContain('CURL_OPTS="--cacert /usr/local/etc/ssl/test-ca.pem"');
    expect(lines("/usr/local/etc/dehydrated/domains.txt")).toEqual(["chat.example.net", ""]);
    expect(
      lines("/usr/local/etc/cron.d/dehydrated").some((l) =>
        l.startsWith("5 9 * * 2\troot\tdehydrated --cron"),
      ),
    ).toBe(true);
  });

  it("base files: resolver search domain, root alias, periodic backups", () => {
    expect(lines("/etc/resolv.conf")).toEqual([
      "# Managed by provision: resolve through the local caching resolver (local_unbound).",
      "search example.net",
      "nameserver 127.0.0.1",
      "options edns0",
      "",
    ]);
    expect(lines("/etc/mail/aliases")).toContain("root: ops@example.net");
    const periodic = lines("/etc/periodic.conf");
    expect(periodic).toContain('daily_pgsql_backup_enable="NO"');
    expect(periodic).toContain('daily_pgsql_vacuum_enable="YES"');
    expect(periodic).toContain('daily_pgsql_backupdir="/var/backups/pg"');
    expect(periodic).toContain('daily_pgsql_savedays="3"');
  });

  it("marks files holding secrets as sensitive with private modes", () => {
    const sensitive = [...files.values()].filter((f) => f.sensitive).map((f) => [f.path, f.mode]);
    expect(sensitive).toEqual([
      ["/usr/local/etc/matrix-synapse/homeserver.yaml", "0640"],
      ["/usr/local/etc/matrix-synapse/example.net.signing.key", "0600"],
      ["/usr/local/etc/turnserver.conf", "0640"],
    ]);
    for (const f of files.values()) {
      if (f.sensitive) continue;
      for (const v of Object.values(fixedSecrets())) expect(f.content, f.path).not.toContain(v);
    }
  });
});
