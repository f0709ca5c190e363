// The host's TLS certificate from the ACME CA, issued and renewed by dehydrated. Facts show
// its state in every plan; apply issues it when missing or due for renewal.
import { q } from "../connector/quote.js";
import type { FactRequest, Facts } from "../facts/types.js";
import { defineResource, required } from "./descriptor.js";
import { change, type Planned, planned, type Resource } from "./types.js";

const DAY = 86_400_000;

export function certificateState(
  facts: Facts,
  certFile: string,
  renewDays: number,
  now = new Date(),
): { due: boolean; text: string } {
  const cert = facts.certs.get(certFile);
  if (!cert) return { due: true, text: "missing" };
  const days = Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY);
  const until = cert.notAfter.toISOString().slice(0, 10);
  if (days < renewDays)
    return { due: true, text: `expires ${until}, within ${Math.max(days, 0)} days (renewal due)` };
  return { due: false, text: `valid until ${until} (${days} days)` };
}

export class CertificateResource implements Resource {
  readonly type = "certificate";
  constructor(
    readonly name: string,
    readonly recipe: string,
    readonly certFile: string,
    readonly config: string,
    readonly renewDays: number,
    readonly notify: string[] = [],
  ) {}

  request(req: FactRequest): void {
    req.certs.add(this.certFile);
  }

  /** One line for the plan even when nothing changes. */
  note(facts: Facts): string {
    return `certificate ${this.name}: ${certificateState(facts, this.certFile, this.renewDays).text}`;
  }

  plan(facts: Facts): Planned {
    const state = certificateState(facts, this.certFile, this.renewDays);
    if (!state.due) return planned(null);
    // dehydrated answers the http-01 challenge through Apache's port-80 vhost, then its hook
    // copies the certificate for coturn and reloads Apache, which then serves HTTPS.
    const script = `dehydrated --cron --config ${q(this.config)}`;
    return planned(
      change(
        this,
        facts.certs.get(this.certFile) ? "update" : "create",
        state.text === "missing" ? "issue with dehydrated (http-01)" : `renew: ${state.text}`,
        [{ kind: "exec", description: `issue the certificate for ${this.name}`, script }],
      ),
    );
  }
}

export const certificateType = defineResource({
  type: "certificate",
  name: "text",
  props: {
    /** The certificate file whose expiry decides. */
    cert: required("text"),
    /** dehydrated's configuration. */
    config: required("text"),
    /** Renew when fewer days remain. */
    renew_days: required("text"),
  },
  build: (e, r) => [
    new CertificateResource(
      r.text(e.name),
      e.recipe,
      r.text(e.props.cert),
      r.text(e.props.config),
      Number(r.text(e.props.renew_days)),
      e.notify,
    ),
  ],
});
