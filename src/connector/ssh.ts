// The SSH connector: one ssh2 connection per host, TCP_NODELAY and keepalives, host keys
// checked against known_hosts, key file or agent, ~/.ssh/config honoured, root by login,
// sudo or doas.
import { homedir } from "node:os";
import { resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import SSHConfig from "ssh-config";
import { Client, type ConnectConfig, type ServerHostKeyAlgorithm } from "ssh2";
import { UserError } from "../errors.js";
import type { HostConfig } from "../inventory/types.js";
import { readBoundedFile } from "../util/files.js";
import {
  addKnownHost,
  checkKnownHosts,
  fingerprint,
  type HostKey,
  hostKeyAlgorithms,
} from "./known-hosts.js";
import { lastLineTracker } from "./last-line.js";
import { loadPrivateKey } from "./private-key.js";
import { q } from "./quote.js";
import type { Connector, ExecOptions, ExecResult, HeldCommand } from "./types.js";

export const REMOTE_PATH = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";

export interface SshOptions {
  acceptNewHostKey?: boolean;
  /** ~/.ssh/config location (tests point it elsewhere). */
  sshConfigFile?: string;
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? `${homedir()}${p.slice(1)}` : p;
}

function keyFromBlob(blob: Buffer): HostKey {
  const len = blob.readUInt32BE(0);
  return { type: blob.subarray(4, 4 + len).toString(), blob: blob.toString("base64") };
}

interface Resolved {
  host: string;
  port: number;
  user: string;
  keyFile?: string;
  knownHosts: string;
}

/** Inventory values first (explicit ones), then ~/.ssh/config for what the inventory leaves open. */
export function resolveSsh(
  ssh: HostConfig["ssh"],
  explicit: ReadonlySet<string>,
  configFile?: string,
): Resolved {
  let cfg: Record<string, string | string[]> = {};
  const file = configFile ?? resolve(homedir(), ".ssh/config");
  try {
    const parsed = SSHConfig.parse(readBoundedFile(file, 1024 * 1024).toString("utf8"));
    // Match exec would run local commands: never evaluated.
    cfg = parsed.compute({ Host: ssh.address }, { matchExec: false }) as Record<
      string,
      string | string[]
    >;
  } catch {
    cfg = {};
  }
  const one = (k: string) => {
    const v = cfg[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const host = one("HostName") ?? ssh.address;
  const configPort = one("Port");
  if (!explicit.has("port") && configPort !== undefined && !/^[0-9]{1,5}$/.test(configPort)) {
    throw new UserError(`${file}: Port ${configPort} for ${ssh.address} is not a port number`);
  }
  const port = explicit.has("port") ? ssh.port : Number(configPort ?? ssh.port);
  if (port < 1 || port > 65535) {
    throw new UserError(`${file}: Port ${port} for ${ssh.address} is out of range 1-65535`, {
      hint: "Fix the Port line in the ssh config, or set ssh.port in the inventory.",
    });
  }
  const user = explicit.has("user") ? ssh.user : (one("User") ?? ssh.user);
  const keyFile = ssh.key ?? one("IdentityFile");
  const knownHosts = ssh.known_hosts ?? one("UserKnownHostsFile") ?? "~/.ssh/known_hosts";
  return {
    host,
    port,
    user,
    ...(keyFile ? { keyFile: expandHome(keyFile) } : {}),
    knownHosts: expandHome(knownHosts.split(/\s+/)[0] as string),
  };
}

/** undefined when the key may be used; otherwise why not, as OpenSSH would say it. */
function verifyHostKey(
  name: string,
  r: Resolved,
  key: HostKey,
  acceptNew: boolean,
): UserError | undefined {
  const verdict = checkKnownHosts(r.knownHosts, r.host, r.port, key);
  const where = `host ${name} (${r.host}:${r.port})`;
  if (verdict.status === "match") return undefined;
  if (verdict.status === "unknown") {
    if (acceptNew) {
      addKnownHost(r.knownHosts, r.host, r.port, key);
      return undefined;
    }
    const others =
      verdict.otherTypes.length > 0
        ? ` (${r.knownHosts} holds its ${verdict.otherTypes.join(", ")} key, which it no longer offers)`
        : "";
    return new UserError(
      `${where} is not in ${r.knownHosts}: its ${key.type} key ${fingerprint(key)} is unknown${others}`,
      {
        hint: "Compare the fingerprint with the host's (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on its console), then run again with --accept-new-host-key to record it.",
      },
    );
  }
  if (verdict.status === "revoked") {
    return new UserError(
      `${where} offered the ${key.type} key ${fingerprint(key)}, marked @revoked in ${r.knownHosts}`,
    );
  }
  return new UserError(
    `HOST KEY CHANGED for ${name} (${r.host}:${r.port}): it offered the ${key.type} key ${fingerprint(key)}, which does not match ${r.knownHosts}. Someone may be intercepting the connection, or the host was reinstalled.`,
    {
      hint: "Refusing to connect. If the change is expected, remove the old entry from known_hosts (ssh-keygen -R) and verify the new key.",
    },
  );
}

export class SshConnector implements Connector {
  private client = new Client();
  roundTrips = 0;
  private prefix: string;
  /** Set once the connection is gone: commands in flight end, new ones are refused. */
  private lost: string | undefined;
  private readonly inFlight = new Set<(why: string) => void>();

  private constructor(
    readonly name: string,
    private readonly become: HostConfig["ssh"]["become"],
  ) {
    this.prefix = become === "sudo" ? "sudo -n " : become === "doas" ? "doas -n " : "";
  }

  static async connect(
    name: string,
    ssh: HostConfig["ssh"],
    explicit: ReadonlySet<string>,
    opts: SshOptions = {},
  ): Promise<SshConnector> {
    const r = resolveSsh(ssh, explicit, opts.sshConfigFile);
    const conn = new SshConnector(name, ssh.become);
    let refusal: UserError | undefined;
    // Read before connecting: an unreadable known_hosts is bad input, not a failed handshake.
    const algorithms = hostKeyAlgorithms(r.knownHosts, r.host, r.port);
    const config: ConnectConfig = {
      host: r.host,
      port: r.port,
      username: r.user,
      readyTimeout: 20_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      algorithms: { serverHostKey: algorithms as ServerHostKeyAlgorithm[] },
      hostVerifier: (blob: Buffer) => {
        try {
          refusal = verifyHostKey(name, r, keyFromBlob(blob), opts.acceptNewHostKey === true);
        } catch (err) {
          refusal =
            err instanceof UserError
              ? err
              : new UserError(`host ${name}: cannot check its key: ${(err as Error).message}`);
        }
        return refusal === undefined;
      },
    };
    if (r.keyFile) {
      Object.assign(config, await loadPrivateKey(r.keyFile, name));
    } else if (process.env.SSH_AUTH_SOCK) {
      config.agent = process.env.SSH_AUTH_SOCK;
    } else {
      throw new UserError(
        `no SSH key for host ${name}: set ssh.key in the inventory or start ssh-agent`,
      );
    }
    await new Promise<void>((resolveReady, reject) => {
      let settled = false;
      conn.client.once("ready", () => {
        settled = true;
        // ssh2 does not always close the channels of a dead connection: end them here, or an
        // apply would wait forever on a step whose connection was cut.
        conn.client.on("close", () => conn.connectionLost());
        resolveReady();
      });
      // Listened to for the connection's whole life: ssh2 may report a lost connection more than
      // once, or after ready (a command in flight then ends with the channel's close, code -1).
      conn.client.on("error", (err) => {
        if (settled) return;
        settled = true;
        if (refusal) return reject(refusal);
        const e = err as Error & { level?: string; code?: string };
        const why =
          e.level === "client-authentication"
            ? `authentication as ${r.user} failed (key ${r.keyFile ?? "from ssh-agent"})`
            : e.code === "ECONNREFUSED"
              ? "connection refused"
              : e.message;
        reject(new UserError(`cannot connect to host ${name} (${r.host}:${r.port}): ${why}`));
      });
      // A connection closed before login completes (during the handshake, or sshd refusing the
      // account through PAM or DenyUsers) brings no error, and ssh2 then stops its readyTimeout:
      // without this the connect would wait forever.
      conn.client.once("close", () => {
        if (settled) return;
        settled = true;
        reject(
          refusal ??
            new UserError(
              `cannot connect to host ${name} (${r.host}:${r.port}): the host closed the connection before login completed`,
              {
                hint: "Check that sshd runs on that port and accepts this address and user, then run again.",
              },
            ),
        );
      });
      conn.client.connect(config);
    });
    conn.client.setNoDelay(true);
    return conn;
  }

  private connectionLost(): void {
    this.lost = "the SSH connection was lost";
    for (const end of this.inFlight) end(this.lost);
    this.inFlight.clear();
  }

  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.roundTrips++;
    return new Promise((resolveExec, reject) => {
      if (this.lost) return reject(new UserError(`host ${this.name}: ${this.lost}`));
      // The login shell expands $SSH_CLIENT before sudo/doas reset the environment: the script
      // gets it as $1 (the firewall check needs the address this connection comes from).
      this.client.exec(`${this.prefix}/bin/sh -s "$SSH_CLIENT"`, (err, stream) => {
        if (err)
          return reject(new UserError(`host ${this.name}: cannot run a command: ${err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let timer: NodeJS.Timeout | undefined;
        let idle: NodeJS.Timeout | undefined;
        const fail = (why: string) => {
          stream.close();
          reject(new UserError(`host ${this.name}: ${why}`));
        };
        if (opts.timeoutMs) {
          const ms = opts.timeoutMs;
          timer = setTimeout(() => fail(`command timed out after ${ms} ms`), ms);
        }
        const alive = () => {
          if (!opts.idleTimeoutMs) return;
          const ms = opts.idleTimeoutMs;
          if (idle) clearTimeout(idle);
          idle = setTimeout(
            () =>
              fail(
                `command printed nothing for ${ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`}: stopped`,
              ),
            ms,
          );
        };
        alive();
        const lines = opts.onOutput ? lastLineTracker(opts.onOutput) : undefined;
        stream.on("data", (d: Buffer) => {
          out.push(d);
          alive();
          lines?.(d, "out");
        });
        stream.stderr.on("data", (d: Buffer) => {
          errOut.push(d);
          alive();
          lines?.(d, "err");
        });
        const finish = (code: number | null, lost?: string) => {
          this.inFlight.delete(lose);
          if (timer) clearTimeout(timer);
          if (idle) clearTimeout(idle);
          resolveExec({
            code: code ?? -1,
            stdout: Buffer.concat(out).toString("utf8"),
            stderr: Buffer.concat(errOut).toString("utf8") + (lost ? `${lost}\n` : ""),
            ...(lost ? { connectionLost: true } : {}),
          });
        };
        const lose = (why: string) => finish(-1, why);
        this.inFlight.add(lose);
        stream.on("close", (code: number | null) => finish(code));
        // Every script sees FreeBSD's full PATH, whatever the login shell or sudo/doas set.
        stream.end(`PATH=${REMOTE_PATH}; export PATH\n${script}`);
      });
    });
  }

  /**
   * Runs a short script (given to `sh -c`, so standard input stays free) whose standard output
   * goes to `io.stdout` and whose standard input comes from `io.stdin`, both as raw bytes and
   * never held in memory: for backups and restores, whose data can be large and binary.
   */
  execData(
    script: string,
    io: { stdout?: Writable; stdin?: Readable },
  ): Promise<{ code: number; stderr: string }> {
    this.roundTrips++;
    const line = `${this.prefix}/bin/sh -c ${q(`PATH=${REMOTE_PATH}; export PATH\n${script}`)}`;
    return new Promise((resolveExec, reject) => {
      this.client.exec(line, (err, stream) => {
        if (err)
          return reject(new UserError(`host ${this.name}: cannot run a command: ${err.message}`));
        const errOut: Buffer[] = [];
        stream.stderr.on("data", (d: Buffer) => errOut.push(d));
        if (io.stdout) stream.pipe(io.stdout, { end: false });
        else stream.resume();
        stream.on("close", (code: number | null) => {
          resolveExec({ code: code ?? -1, stderr: Buffer.concat(errOut).toString("utf8") });
        });
        if (io.stdin) {
          io.stdin.on("error", (e) => {
            stream.close();
            reject(new UserError(`host ${this.name}: cannot read the data to send: ${e.message}`));
          });
          io.stdin.pipe(stream);
        } else stream.end();
      });
    });
  }

  hold(script: string): Promise<HeldCommand> {
    this.roundTrips++;
    return new Promise((resolveHold, reject) => {
      if (this.lost) return reject(new UserError(`host ${this.name}: ${this.lost}`));
      // The script travels as an argument: standard input is the session's, held open.
      const command = `PATH=${REMOTE_PATH}; export PATH\n${script}`;
      this.client.exec(`${this.prefix}/bin/sh -c ${q(command)}`, (err, stream) => {
        if (err)
          return reject(new UserError(`host ${this.name}: cannot run a command: ${err.message}`));
        let out = "";
        let errOut = "";
        let settled = false;
        let onClose = (): void => undefined;
        const closed = new Promise<void>((done) => {
          onClose = done;
        });
        const held: Omit<HeldCommand, "first"> = {
          release: async () => {
            stream.end();
            await closed;
          },
        };
        stream.on("data", (d: Buffer) => {
          out += d.toString("utf8");
          const nl = out.indexOf("\n");
          if (!settled && nl >= 0) {
            settled = true;
            resolveHold({ ...held, first: out.slice(0, nl) });
          }
        });
        stream.stderr.on("data", (d: Buffer) => {
          errOut += d.toString("utf8");
        });
        const ended = (code: number | null) => {
          this.inFlight.delete(lose);
          onClose();
          if (settled) return;
          settled = true;
          resolveHold({
            ...held,
            first: out,
            ended: { code: code ?? -1, stdout: out, stderr: errOut },
          });
        };
        const lose = () => ended(-1);
        this.inFlight.add(lose);
        stream.on("close", (code: number | null) => ended(code));
      });
    });
  }

  async close(): Promise<void> {
    this.client.end();
  }
}
