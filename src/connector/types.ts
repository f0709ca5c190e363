export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The connection died before the command ended: how far it got on the host is unknown. */
  connectionLost?: boolean;
}

export interface ExecOptions {
  /** Fails the command when it has run this long (ms). */
  timeoutMs?: number;
  /** Fails the command when it has printed nothing for this long (ms): long builds stay alive. */
  idleTimeoutMs?: number;
  /** Called with the last complete line of output (stdout or stderr) as it arrives. */
  onOutput?: (line: string) => void;
}

/** A command kept running for as long as this connection lives (see Connector.hold). */
export interface HeldCommand {
  /** What it printed up to its first line, or everything when it ended before that. */
  readonly first: string;
  /** Set when the command ended before printing a line (nothing is held then). */
  readonly ended?: ExecResult;
  /** Closes its standard input (the command then ends) and waits for it to end. */
  release(): Promise<void>;
}

/** How commands reach a host. Every command runs as root (directly, or through sudo or doas). */
export interface Connector {
  readonly name: string;
  /** Runs a /bin/sh script (sent on standard input, so no quoting layer in between). */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a /bin/sh script whose standard input stays open until release() or until the
   * connection dies, and resolves at its first line of output: a remote process tied to this
   * session (the apply lock).
   */
  hold?(script: string): Promise<HeldCommand>;
  close(): Promise<void>;
  /** Exec round trips so far (connecting not counted). */
  readonly roundTrips: number;
}
