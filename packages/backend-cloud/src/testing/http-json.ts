import type { IncomingMessage, ServerResponse } from "node:http";

/** Small pieces every fake vendor server needs to speak JSON over node:http. */

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(request);
  if (body.length === 0) return {};
  return JSON.parse(body.toString("utf8")) as Record<string, unknown>;
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = value === undefined ? "" : JSON.stringify(value);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
}

/** A route: method, a path pattern with `:name` segments, and its handler. */
export interface Route<Context> {
  method: string;
  pattern: RegExp;
  names: string[];
  handle(context: Context, params: Record<string, string>): Promise<void> | void;
}

export function route<Context>(method: string, path: string, handle: Route<Context>["handle"]): Route<Context> {
  const names: string[] = [];
  const source = path.replace(/:(\w+)/g, (_match, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { method, pattern: new RegExp(`^${source}$`), names, handle };
}

export function matchRoute<Context>(routes: readonly Route<Context>[], method: string, path: string) {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params = Object.fromEntries(candidate.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? "")]));
    return { route: candidate, params };
  }
  return undefined;
}
