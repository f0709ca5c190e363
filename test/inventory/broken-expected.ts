// Expected diagnostics for every broken inventory in test/fixtures/broken: LINE:COL: severity: summary.
export const EXPECTED: Record<string, string[]> = {
  "01-syntax-unclosed-quote.yaml": ["6:1: error: YAML syntax error: missing closing 'quote"],
  "02-syntax-tab-indent.yaml": ["3:1: error: tab used for indentation; YAML indents with spaces"],
  "03-duplicate-host.yaml": [
    "9:5: error: duplicate key 'matrix': each key may appear only once in a mapping",
  ],
  "04-not-a-mapping.yaml": [
    "1:1: error: inventory must be a mapping with a top-level 'all:' key, found a list",
  ],
  "05-no-all.yaml": [
    "1:1: error: the inventory has no top-level 'all:' key",
    "1:1: error: unknown key 'hosts' at the top level; expected one of: all",
  ],
  "06-unknown-key-typo.yaml": [
    "6:5: error: host 'matrix' has no public_ipv4; set it in the host's vars or in a group's vars (e.g. all.vars)",
    "8:7: error: unknown key 'public_ip' in all.hosts.matrix; did you mean 'public_ipv4'?",
  ],
  "07-unknown-section.yaml": [
    "1:1: error: the inventory lists no hosts; add one under all.hosts",
    "5:3: error: unknown key 'host' in all; did you mean 'hosts'?",
  ],
  "08-wrong-type-port.yaml": [
    "6:13: error: 'port' must be a whole number, got the text \"twenty-two\"",
  ],
  "09-wrong-type-bool.yaml": [
    "6:21: error: 'registration' must be true or false, got the text \"yes please\"",
  ],
  "10-port-out-of-range.yaml": [
    "6:13: error: 'port' must be between 1 and 65535, got the number 70000",
  ],
  "11-enum-become.yaml": [
    "6:13: error: ssh.user is 'admin' but ssh.become is 'none'; provision needs root: set ssh.become to sudo or doas, or log in as root",
    "7:15: error: 'become' must be one of none, sudo, doas; got the text \"sudu\" (did you mean 'sudo'?)",
  ],
  "12-bad-ipv4.yaml": [
    "8:20: error: 'public_ipv4' must be an IPv4 address such as 203.0.113.10, got \"203.0.113.300\"",
  ],
  "13-bad-ipv6.yaml": [
    "9:20: error: 'public_ipv6' must be an IPv6 address such as 2001:db8::10, got \"2001:db8::zz\"",
  ],
  "14-cidr-host-bits.yaml": [
    "5:9: error: management network 198.51.100.7/24 has host bits set; did you mean 198.51.100.0/24?",
  ],
  "15-cidr-anywhere.yaml": [
    "5:9: error: management network 0.0.0.0/0 would open SSH to the whole Internet; list only the networks you administer from",
  ],
  "16-cidr-garbage.yaml": [
    '5:9: error: management network "198.51.100.7/33" is not an IPv4/IPv6 address or CIDR such as 198.51.100.7/32',
    '6:9: error: management network "office-network" is not an IPv4/IPv6 address or CIDR such as 198.51.100.7/32',
  ],
  "17-bad-server-name.yaml": [
    "7:20: error: 'server_name' must be a fully qualified DNS name in lower case such as matrix.example.org (no port, no trailing dot), got \"Matrix_Server\"",
  ],
  "18-bad-email.yaml": [
    "3:18: error: 'admin_email' must be an e-mail address such as admin@example.org, got \"root at example dot org\"",
  ],
  "19-turn-range-overlaps-ports.yaml": [
    "6:17: error: TURN relay range 3000-4000 overlaps port 3478 (TURN); move the range above it",
  ],
  "20-turn-range-empty.yaml": [
    "6:17: error: TURN relay range 60000-50000 is empty: min_port must not exceed max_port",
  ],
  "21-port-clash.yaml": [
    "6:17: error: port 3478 for TURN over TLS is already used by TURN; choose another port",
  ],
  "22-postgresql-unsupported.yaml": [
    "6:19: error: PostgreSQL 11 is not supported; use one of 15, 16, 17, 18",
  ],
  "23-python-unsupported.yaml": [
    "6:15: error: Python 3.7 is not supported by current Synapse; use one of 3.10, 3.11, 3.12, 3.13, 3.14",
    "7:16: error: FreeBSD 12.1 is not supported; use a 14.x or 15.x release",
  ],
  "24-version-pattern.yaml": [
    '6:16: error: \'synapse\' must be a version like "1.157.0", got the text "latest"',
  ],
  "25-injection-newline.yaml": [
    "7:19: error: 'synapse.email.app_name' contains a line break; every value must fit on one line without control characters",
  ],
  "26-injection-shell.yaml": [
    "6:12: error: 'backup.dir' must be an absolute path of letters, digits, '.', '_', '-' and '/', got \"/var/backups; rm -rf /\"",
  ],
  "27-injection-quote.yaml": [
    "7:19: error: 'synapse.email.app_name' contains a quote, backslash, $ or backtick, which could break out of the config file or shell command it is written to; remove it",
  ],
  "28-missing-required.yaml": [
    "5:5: error: host 'matrix' has no server_name, admin_email; set them in the host's vars or in a group's vars (e.g. all.vars)",
  ],
  "29-missing-secret.yaml": [
    "10:34: error: secret 'smtp_password' is referenced but not in the secrets store <store>",
  ],
  "30-become-none-nonroot.yaml": [
    "6:13: error: ssh.user is 'admin' but ssh.become is 'none'; provision needs root: set ssh.become to sudo or doas, or log in as root",
  ],
  "31-bad-cron.yaml": [
    "6:23: error: 'certificates.renew_schedule': minute field '61' is out of range 0-59",
  ],
  "32-acme-http.yaml": [
    "6:23: error: 'certificates.acme_directory' must be an https:// URL of an ACME directory, got \"http://acme.example.org/directory\"",
  ],
  "33-duplicate-server-name.yaml": [
    "10:20: error: hosts 'matrix1' and 'matrix2' both use server_name matrix.example.org; each homeserver needs its own",
  ],
  "34-ipv6-cidr-without-ipv6.yaml": [
    "4:24: error: management network 2001:db8::/64 is IPv6 but firewall.ipv6 is false, so it could never connect; use an IPv4 network or enable firewall.ipv6",
  ],
  "35-unknown-tag.yaml": [
    "8:20: error: Unresolved tag: !vault; plain YAML values only (secrets are referenced as { secret: NAME })",
  ],
  "36-many-errors.yaml": [
    "3:18: error: 'admin_email' must be an e-mail address such as admin@example.org, got \"admin@example\"",
    '6:24: error: \'max_upload_size\' must be a size like "50M" (a number, optionally followed by K, M or G), got the text "lots"',
    "7:7: error: unknown key 'presense' in all.vars.synapse; did you mean 'presence'?",
    "12:24: error: 'min_port' must be between 1024 and 65535, got the number 100",
  ],
  "37-host-value-list.yaml": ["4:7: error: 'matrix' must be a mapping or empty, got a list"],
  "38-bad-host-name.yaml": [
    '6:5: error: host name \'matrix server\' is invalid; expected a name of letters, digits, ".", "_" and "-" (at most 63, not starting with a punctuation mark)',
  ],
  "39-secrets-outside-all.yaml": [
    "9:7: error: 'secrets' settings apply to the whole inventory; move them to all.vars",
  ],
  "40-group-vars-override.yaml": [
    "9:21: error: 'max_port' must be between 1024 and 65535, got the number 1000",
  ],
  "41-no-hosts.yaml": ["1:1: error: the inventory lists no hosts; add one under all.hosts"],
  "42-empty.yaml": [
    "1:1: error: inventory is empty, expected a mapping with a top-level 'all:' key",
  ],
  "43-binary.yaml": [
    "1:1: error: inventory is a binary file (it contains NUL bytes), expected YAML text",
  ],
  "44-latin1.yaml": ["3:21: error: inventory is not valid UTF-8 text"],
  "45-yaml11-directive.yaml": [
    "1:1: error: inventories are YAML 1.2; the directive '%YAML 1.1' would change what values mean (022, 3:00, yes, <<)",
  ],
  "46-yaml11-scalars.yaml": [
    "8:19: error: 'renew_days' must be a whole number, got the text \"3:00\"",
    "10:21: error: 'registration' must be true or false, got the text \"on\"",
    "11:21: error: 'guest_access' must be true or false, got the text \"Y\"",
  ],
  "47-yaml11-merge-key.yaml": [
    "6:7: error: unknown key '<<' in all.vars.synapse; expected one of: install, registration, guest_access, max_upload_size, url_previews, metrics, presence, report_stats, federation, federation_port, well_known, log_level, test_federation, email",
  ],
  "48-hosts-binary.yaml": [
    "5:10: error: Unresolved tag: tag:yaml.org,2002:binary; plain YAML values only (secrets are referenced as { secret: NAME })",
  ],
  "49-cidr-union-v4.yaml": [
    "4:23: error: management networks together cover the whole IPv4 Internet (0.0.0.0/1, 128.0.0.0/1), which would open SSH to everyone; list only the networks you administer from",
  ],
  "50-cidr-union-v6.yaml": [
    "4:23: error: management networks together cover the whole IPv6 Internet (::/1, 8000::/2, c000::/2), which would open SSH to everyone; list only the networks you administer from",
  ],
  "51-backup-dir-root.yaml": [
    "6:12: error: 'backup.dir' \"/\" is a system directory; the plan gives it to postgres, so choose a directory of its own such as /var/db/postgres/backups",
  ],
  "52-backup-dir-dotdot.yaml": [
    "6:12: error: 'backup.dir' \"/var/db/postgres/backups/../../..\" must not contain '.' or '..' components; the plan gives it to postgres, so choose a directory of its own such as /var/db/postgres/backups",
  ],
  "53-backup-dir-system.yaml": [
    "6:12: error: 'backup.dir' \"/usr/local/etc\" is a system directory; the plan gives it to postgres, so choose a directory of its own such as /var/db/postgres/backups",
  ],
  "54-backup-dir-managed.yaml": [
    "6:12: error: 'backup.dir' \"/var/db/postgres/data17\" is a directory provision manages; the plan gives it to postgres, so choose a directory of its own such as /var/db/postgres/backups",
  ],
  "55-cron-nbsp.yaml": [
    "6:23: error: 'certificates.renew_schedule': a cron schedule holds digits, names, '*', ',', '-', '/' and blanks only; found U+00A0",
  ],
  "56-cron-reversed-range.yaml": [
    "6:23: error: 'certificates.renew_schedule': hour field '5-1' has a reversed range (5-1 is empty)",
  ],
  "57-cron-impossible-date.yaml": [
    "6:23: error: 'certificates.renew_schedule': the schedule '0 0 31 2 *' never runs: no listed month has that day",
  ],
  "58-c1-control.yaml": [
    "7:19: error: 'synapse.email.app_name' contains control character U+0085; every value must fit on one line without control characters",
  ],
  "59-line-separator.yaml": [
    "7:19: error: 'synapse.email.app_name' contains a Unicode line or paragraph separator U+2028; every value must fit on one line without control characters",
  ],
  "60-invalid-utf8-after-fffd.yaml": ["12:10: error: inventory is not valid UTF-8 text"],
  "61-yaml11-merge-tag.yaml": [
    "10:9: error: Unresolved tag: tag:yaml.org,2002:merge; plain YAML values only (secrets are referenced as { secret: NAME })",
  ],
  "62-synapse-needs-postgresql-14.yaml": [
    "6:19: warning: PostgreSQL 13 reached end of life on 2025-11-13; move to one of 15, 16, 17, 18",
    "6:19: error: Synapse 1.160.0 needs PostgreSQL 14 or newer (Synapse 1.143.0 dropped PostgreSQL 13), got versions.postgresql 13",
  ],
  "90-type-quoting-hints.yaml": [
    "6:19: error: 'postgresql' must be a whole number, got the text \"17\"; write it without quotes: 17",
    "7:16: error: 'synapse' must be text, got the number 1.157; write it in quotes: \"1.157.0\"",
    "8:15: error: 'python' must be text, got the number 3.11; write it in quotes: \"3.11\"",
  ],
};
