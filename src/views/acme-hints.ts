// What to do about the ACME failures users meet most, recognised in dehydrated's output.
const HINTS: [RegExp, string][] = [
  [
    /Problem connecting to server/i,
    "dehydrated cannot reach the ACME directory: check certificates.acme_directory and that the host can open HTTPS connections to it.",
  ],
  [
    /rateLimited|too many (certificates|failed authorizations)/i,
    "The CA's rate limit was hit: wait (Let's Encrypt: up to a week) or test against its staging directory (certificates.acme_directory).",
  ],
  [
    /invalidContact|contact.*(invalid|not.*valid)|unsupportedContact/i,
    "The CA refused the contact e-mail: set certificates.contact_email (or admin_email) to a real, deliverable address.",
  ],
  [
    /DNS problem|NXDOMAIN|no valid A records|SERVFAIL/i,
    "The CA could not resolve the name: public_hostname must have an A record pointing at public_ipv4.",
  ],
  [
    /Connection refused|Timeout during connect|connection.*timed out|Fetching http:\/\//i,
    "The CA could not fetch the challenge over HTTP: check that public_hostname points at this host and that port 80 is reachable from the Internet (provision's firewall always opens it).",
  ],
  [
    /unauthorized|Invalid response from/i,
    "The CA fetched the challenge but got something else: public_hostname may point at another server.",
  ],
  [
    /curl: \(60\)|certificate verify failed|SSL certificate problem/i,
    "dehydrated does not trust the ACME server's TLS certificate: for a private or test CA set certificates.acme_ca_bundle.",
  ],
];

export function acmeHint(output: string): string | undefined {
  return HINTS.find(([re]) => re.test(output))?.[1];
}
