export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How commands reach a host. Every command runs as root (directly, or through sudo or doas). */
export interface Connector {
  readonly name: string;
  /** Runs a /bin/sh script (sent on standard input, so no quoting layer in between). */
  exec(script: string, opts?: { timeoutMs?: number }): Promise<ExecResult>;
  close(): Promise<void>;
  /** Exec round trips so far (connecting not counted). */
  readonly roundTrips: number;
}
