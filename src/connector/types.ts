export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Fails the command when it has run this long (ms). */
  timeoutMs?: number;
  /** Fails the command when it has printed nothing for this long (ms): long builds stay alive. */
  idleTimeoutMs?: number;
  /** Called with the last complete line of output (stdout or stderr) as it arrives. */
  onOutput?: (line: string) => void;
}

/** How commands reach a host. Every command runs as root (directly, or through sudo or doas). */
export interface Connector {
  readonly name: string;
  /** Runs a /bin/sh script (sent on standard input, so no quoting layer in between). */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** Exec round trips so far (connecting not counted). */
  readonly roundTrips: number;
}
