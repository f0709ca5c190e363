// A TCP proxy on loopback in front of a test host's SSH port, which the test cuts at will: every
// connection through it is destroyed on both sides at once, as a network failure would.
import { connect, createServer, type Server, type Socket } from "node:net";

export class CutProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  cuts = 0;

  constructor(private readonly targetPort: number) {}

  /** Listens on 127.0.0.1 (a free port); returns it. */
  async listen(): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address();
    if (!addr || typeof addr === "string") throw new Error("proxy has no port");
    return addr.port;
  }

  /** Destroys every open connection (new ones are still accepted). */
  cut(): void {
    this.cuts++;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
