import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { createHermesMcpServer, type HermesMcpServer } from "./hermes-mcp-server.js";
import type { EnvironmentFactory } from "./session-environment.js";

export interface HttpServeOptions {
  /** The port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The bearer token every request must carry. Default `HERMES_MCP_TOKEN`, else a new random one. */
  token?: string;
  createEnvironment: EnvironmentFactory;
}

export interface HttpMcpServer {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  readonly token: string;
  /** Sessions open now (one environment each, at most). */
  readonly sessions: number;
  /** Ends every session (disposing its environment) and stops listening. */
  close(): Promise<void>;
}

const maxBodyBytes = 4 * 1024 * 1024;

/**
 * Serves MCP's Streamable HTTP transport on 127.0.0.1 only, each session with its own environment. Every
 * request needs `Authorization: Bearer <token>`; any other is refused with 401 before it reaches MCP.
 */
export async function serveHttp(options: HttpServeOptions): Promise<HttpMcpServer> {
  const token = options.token ?? process.env.HERMES_MCP_TOKEN ?? randomBytes(24).toString("base64url");
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; session: HermesMcpServer }>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!authorized(request, token)) return refuse(response, 401, "a bearer token is required (Authorization: Bearer <token>)");
    if (new URL(request.url ?? "/", "http://localhost").pathname !== "/mcp") return refuse(response, 404, "the MCP endpoint is /mcp");
    const body = request.method === "POST" ? await readJson(request) : undefined;
    if (body instanceof Error) return refuse(response, 400, body.message);
    const id = request.headers["mcp-session-id"];
    const known = typeof id === "string" ? sessions.get(id) : undefined;
    if (known) return known.transport.handleRequest(request, response, body);
    if (id !== undefined) return refuse(response, 404, "no such MCP session (it ended): initialize a new one");
    if (request.method !== "POST" || !isInitializeRequest(body)) return refuse(response, 400, "start with an initialize request");
    const session = createHermesMcpServer(options.createEnvironment);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { transport, session });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      void session.close();
    };
    await session.server.connect(transport);
    await transport.handleRequest(request, response, body);
  };

  const http = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) refuse(response, 500, error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    get sessions() {
      return sessions.size;
    },
    close: async () => {
      await Promise.all([...sessions.values()].map(({ session }) => session.close()));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function authorized(request: IncomingMessage, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { "content-type": "application/json", ...(status === 401 && { "www-authenticate": "Bearer" }) });
  response.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return new Error(`a request body may be ${maxBodyBytes} bytes at most`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return new Error("the request body is not JSON");
  }
}
