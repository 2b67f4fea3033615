import { createServer, type Server, Socket } from "node:net";

export interface FaultProxyOptions {
  /** Where connections go (a TCP server on this machine or elsewhere). */
  target: { host: string; port: number };
}

/** A TCP proxy on 127.0.0.1 between a client and a server, for injecting faults on the path between them. */
export interface FaultProxy {
  /** The proxy's port on 127.0.0.1: point the client here. */
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  /**
   * Holds what the server sends and passes it on in one write every `ms` (0: at once again), so packets
   * that would come one by one reach the client in a single read, as on a loaded machine or a slow link.
   */
  batchReplies(ms: number): void;
  /** Resets every open connection on both sides, as a dropped network path or a restarted middlebox does. */
  cut(): void;
  /** Cuts every open connection and resets each new one until `resume()`: a server gone, or its network. */
  down(): void;
  /** Stops passing bytes either way without closing anything: a network gone silent (no FIN, no RST). */
  silence(): void;
  /** Passes bytes again, and what was held during the silence; takes connections again after `down()`. */
  resume(): void;
  /** Cuts what is open and stops listening. */
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  server: Socket;
  /** Bytes from the server not yet passed to the client (batching or silence). */
  held: Buffer[];
  /** Bytes from the client not yet passed to the server (connecting or silence). */
  sentUp: Buffer[];
  flushTimer: NodeJS.Timeout | undefined;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const links = new Set<Link>();
  let batchMs = 0;
  let silent = false;
  let down = false;

  const flush = (link: Link) => {
    link.flushTimer = undefined;
    if (silent || link.held.length === 0) return;
    link.client.write(Buffer.concat(link.held.splice(0)));
  };

  const flushUp = (link: Link) => {
    if (link.sentUp.length > 0) link.server.write(Buffer.concat(link.sentUp.splice(0)));
  };

  const server: Server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const link: Link = { client, server: upstream, held: [], sentUp: [], flushTimer: undefined };
    links.add(link);
    const end = () => {
      clearTimeout(link.flushTimer);
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.on("data", (chunk: Buffer) => {
      if (silent || upstream.connecting) link.sentUp.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      link.held.push(chunk);
      if (silent) return;
      if (batchMs === 0) flush(link);
      else link.flushTimer ??= setTimeout(() => flush(link), batchMs);
    });
    upstream.connect(options.target.port, options.target.host, () => {
      if (!silent) flushUp(link);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const cut = () => {
    for (const link of [...links]) {
      link.client.resetAndDestroy();
      link.server.resetAndDestroy();
    }
  };
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the fault proxy has no TCP address");

  return {
    port: address.port,
    get connections() {
      return links.size;
    },
    batchReplies(ms) {
      batchMs = ms;
    },
    cut,
    down() {
      down = true;
      cut();
    },
    silence() {
      silent = true;
    },
    resume() {
      silent = false;
      down = false;
      for (const link of links) {
        if (!link.server.connecting) flushUp(link);
        flush(link);
      }
    },
    async close() {
      for (const link of [...links]) {
        link.client.destroy();
        link.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
