import { defineFact, T } from "./kind.js";

export interface OsFact {
  system: string;
  version: string;
  /** Address of the SSH client of this connection (from $SSH_CLIENT). */
  sshClient?: string;
  /** Port of this SSH connection on the host (the third field of $SSH_CLIENT). */
  sshPort?: number;
}

/** The system, its version, and this connection's client address and server port. */
export const os = defineFact({
  tags: ["os"],
  empty: () => true as const,
  script: () => [
    `printf 'os${T}system${T}%s\\n' "$(uname -s)"`,
    `printf 'os${T}version${T}%s\\n' "$(freebsd-version 2>/dev/null || uname -r)"`,
    // $1 is $SSH_CLIENT ("client_ip client_port server_port") as the login shell saw it:
    // sudo and doas reset the environment.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    'client="${1:-${SSH_CLIENT:-}}"',
    `printf 'os${T}ssh_client${T}%s\\n' "\${client%% *}"`,
    `case "$client" in *" "*" "*) printf 'os${T}ssh_port${T}%s\\n' "\${client##* }" ;; esac`,
  ],
  parse: (lines): OsFact => {
    const fact: OsFact = { system: "", version: "" };
    for (const [, key, value = ""] of lines) {
      if (key === "system") fact.system = value;
      if (key === "version") fact.version = value;
      if (key === "ssh_client" && value) fact.sshClient = value;
      if (key === "ssh_port" && /^\d+$/.test(value)) fact.sshPort = Number(value);
    }
    return fact;
  },
  fresh: (): OsFact => ({ system: "FreeBSD", version: "14.3-RELEASE" }),
});
