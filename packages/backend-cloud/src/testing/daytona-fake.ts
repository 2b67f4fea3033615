import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileRoutes } from "./daytona-file-routes.js";
import { FakeCommand } from "./fake-command.js";
import { matchRoute, type Route, readBody, readJson, route, sendJson } from "./http-json.js";
import { LocalSandbox } from "./local-sandbox.js";

export interface DaytonaFakeOptions {
  /** The only API key the fake accepts (`Authorization: Bearer <key>`). */
  apiKey: string;
}

export interface DaytonaFake {
  /** The control plane's base URL, as `new Daytona({ apiUrl })` takes it (ends in `/api`). */
  readonly apiUrl: string;
  /** Names of the sandboxes that exist now. */
  sandboxNames(): string[];
  /** Answers the next `times` requests whose path contains `pathPart` with `status` (a vendor outage). */
  failNext(fault: { status: number; times: number; pathPart?: string }): void;
  /**
   * Holds the next `times` requests of `method` (any, if not given) whose path contains `pathPart`, and never
   * answers them: a vendor that accepted a call and will not answer it (nor carry it out). Each is dropped
   * when its client gives up, or at `close()`.
   */
  hangNext(fault: { times: number; pathPart?: string; method?: string }): void;
  /** Every request, as `METHOD path`. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

export interface FakeSandbox {
  dto: Record<string, unknown>;
  box: LocalSandbox;
  env: Record<string, string>;
  sessions: Map<string, Map<string, FakeCommand>>;
}

export interface Context {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
}

const home = "/home/daytona";

/**
 * A Daytona control plane and toolbox daemon on 127.0.0.1, enough of both for `@daytonaio/sdk` to create,
 * find, stop, start, list and delete sandboxes, run session commands (with their log stream over a
 * WebSocket, demultiplexed by the daemon's 3-byte stream markers, and their input), and move files
 * (multipart both ways). Commands run in a `LocalSandbox`. Paths follow the SDK's wire calls (see the
 * README); anything else is a 404 that names the call, so an SDK update that adds one fails loudly.
 */
export async function startDaytonaFake(options: DaytonaFakeOptions): Promise<DaytonaFake> {
  const { WebSocketServer } = await import("ws");
  const sandboxes = new Map<string, FakeSandbox>();
  const requests: string[] = [];
  const faults: Array<{ status: number; times: number; pathPart: string }> = [];
  const hangs: Array<{ times: number; pathPart: string; method: string | undefined }> = [];
  const sockets = new WebSocketServer({ noServer: true });
  let origin = "";

  const find = (idOrName: string) => sandboxes.get(idOrName) ?? [...sandboxes.values()].find((s) => s.dto.name === idOrName);
  const notFound = (response: ServerResponse, what: string) =>
    sendJson(response, 404, { statusCode: 404, message: `${what} not found`, code: "NOT_FOUND" });
  const sandboxOf = (context: Context, id: string | undefined): FakeSandbox | undefined => {
    const sandbox = id === undefined ? undefined : find(id);
    if (!sandbox) notFound(context.response, `sandbox ${id}`);
    return sandbox;
  };
  const commandOf = (context: Context, params: Record<string, string>): FakeCommand | undefined => {
    const sandbox = sandboxOf(context, params.id);
    const command = sandbox?.sessions.get(params.session ?? "")?.get(params.command ?? "");
    if (sandbox && !command) notFound(context.response, `command ${params.command}`);
    return command;
  };

  // The toolbox is served at the address the client used, so a proxy in front of the fake carries both.
  const toolboxUrl = (request: IncomingMessage) => `http://${request.headers.host ?? origin.slice("http://".length)}/toolbox`;
  const dto = (sandbox: FakeSandbox, request: IncomingMessage) => ({
    ...sandbox.dto,
    toolboxProxyUrl: toolboxUrl(request),
    updatedAt: new Date().toISOString(),
  });

  const control: Route<Context>[] = [
    route("POST", "/api/sandbox", async ({ request, response }) => {
      const body = await readJson(request);
      const id = randomUUID();
      const name = typeof body.name === "string" && body.name ? body.name : id;
      if (find(name)) return sendJson(response, 409, { statusCode: 409, message: `sandbox with name ${name} already exists` });
      const env = (body.env as Record<string, string> | undefined) ?? {};
      const created = new Date().toISOString();
      const sandbox: FakeSandbox = {
        box: await LocalSandbox.create(id, home),
        env,
        sessions: new Map(),
        dto: {
          id,
          organizationId: "fake-org",
          name,
          user: "daytona",
          env,
          labels: body.labels ?? {},
          public: false,
          networkBlockAll: false,
          target: body.target ?? "us",
          cpu: body.cpu ?? 1,
          gpu: body.gpu ?? 0,
          memory: body.memory ?? 1,
          disk: body.disk ?? 3,
          state: "started",
          createdAt: created,
          snapshot: body.snapshot,
          autoStopInterval: body.autoStopInterval ?? 15,
        },
      };
      sandboxes.set(id, sandbox);
      sendJson(response, 200, dto(sandbox, request));
    }),
    route("GET", "/api/sandbox", ({ request, response, url }) => {
      const wanted = JSON.parse(url.searchParams.get("labels") ?? "{}") as Record<string, string>;
      const items = [...sandboxes.values()]
        .filter((s) => Object.entries(wanted).every(([key, value]) => (s.dto.labels as Record<string, string>)[key] === value))
        .map((s) => dto(s, request));
      sendJson(response, 200, { items, total: items.length, page: 1, totalPages: 1 });
    }),
    route("GET", "/api/sandbox/:id", (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (sandbox) sendJson(context.response, 200, dto(sandbox, context.request));
    }),
    route("GET", "/api/sandbox/:id/toolbox-proxy-url", (context, { id }) => {
      if (sandboxOf(context, id)) sendJson(context.response, 200, { url: toolboxUrl(context.request) });
    }),
    route("POST", "/api/sandbox/:id/stop", async (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      await sandbox.box.killAll();
      sandbox.sessions.clear();
      sandbox.dto.state = "stopped";
      sendJson(context.response, 200, dto(sandbox, context.request));
    }),
    route("POST", "/api/sandbox/:id/archive", (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      if (sandbox.dto.state !== "stopped")
        return sendJson(context.response, 400, { statusCode: 400, message: "only a stopped sandbox can be archived" });
      sandbox.dto.state = "archived";
      sendJson(context.response, 200, dto(sandbox, context.request));
    }),
    route("POST", "/api/sandbox/:id/start", (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      sandbox.dto.state = "started";
      sendJson(context.response, 200, dto(sandbox, context.request));
    }),
    route("DELETE", "/api/sandbox/:id", async (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      sandboxes.delete(sandbox.dto.id as string);
      await sandbox.box.dispose();
      sandbox.dto.state = "destroyed";
      sendJson(context.response, 200, dto(sandbox, context.request));
    }),
  ];

  const toolbox: Route<Context>[] = [
    // The daemon splits the line into words itself and runs them without a shell; stdout and stderr come back merged.
    route("POST", "/toolbox/:id/process/execute", async (context, { id }) => {
      const body = await readJson(context.request);
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const [program = "true", ...args] = splitWords(String(body.command ?? ""));
      const env = { ...sandbox.env, ...(body.envs as Record<string, string> | undefined) };
      const command = new FakeCommand(sandbox.box, 'exec "$0" "$@"', env, {
        args: [program, ...args],
        input: false,
        ...(typeof body.cwd === "string" && { cwd: body.cwd }),
      });
      await command.finished;
      sendJson(context.response, 200, { exitCode: command.exitCode, result: command.text() });
    }),
    route("POST", "/toolbox/:id/process/session", async (context, { id }) => {
      const body = await readJson(context.request);
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const sessionId = String(body.sessionId ?? "");
      if (sandbox.sessions.has(sessionId))
        return sendJson(context.response, 409, { statusCode: 409, message: `session ${sessionId} exists` });
      sandbox.sessions.set(sessionId, new Map());
      sendJson(context.response, 201, undefined);
    }),
    route("POST", "/toolbox/:id/process/session/:session/exec", async (context, { id, session }) => {
      const body = await readJson(context.request);
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const commands = sandbox.sessions.get(session ?? "");
      if (!commands) return notFound(context.response, `session ${session}`);
      const command = new FakeCommand(sandbox.box, String(body.command ?? ""), sandbox.env);
      commands.set(command.id, command);
      if (body.runAsync || body.async) return sendJson(context.response, 202, { cmdId: command.id });
      await command.finished;
      sendJson(context.response, 200, {
        cmdId: command.id,
        output: command.text(),
        stdout: command.text("stdout"),
        stderr: command.text("stderr"),
        exitCode: command.exitCode,
      });
    }),
    route("GET", "/toolbox/:id/process/session/:session/command/:command", (context, params) => {
      const command = commandOf(context, params);
      if (command)
        sendJson(context.response, 200, { id: command.id, command: command.command, ...(command.done && { exitCode: command.exitCode }) });
    }),
    route("POST", "/toolbox/:id/process/session/:session/command/:command/input", async (context, params) => {
      const body = await readJson(context.request);
      const command = commandOf(context, params);
      if (!command) return;
      if (command.done) return sendJson(context.response, 410, { statusCode: 410, message: "command has exited" });
      command.input(String(body.data ?? ""));
      sendJson(context.response, 200, undefined);
    }),
    route("DELETE", "/toolbox/:id/process/session/:session", (context, { id, session }) => {
      const sandbox = sandboxOf(context, id);
      const commands = sandbox?.sessions.get(session ?? "");
      if (!sandbox) return;
      if (!commands) return notFound(context.response, `session ${session}`);
      for (const command of commands.values()) command.kill();
      sandbox.sessions.delete(session ?? "");
      sendJson(context.response, 204, undefined);
    }),
    ...fileRoutes(sandboxOf),
  ];

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    requests.push(`${request.method} ${url.pathname}`);
    void (async () => {
      if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
        await readBody(request);
        return sendJson(response, 401, { statusCode: 401, message: "Unauthorized: invalid API key", code: "UNAUTHORIZED" });
      }
      const hang = hangs.find((h) => h.times > 0 && url.pathname.includes(h.pathPart) && (h.method ?? request.method) === request.method);
      if (hang) {
        hang.times--;
        request.resume();
        return;
      }
      const fault = faults.find((f) => f.times > 0 && url.pathname.includes(f.pathPart));
      if (fault) {
        fault.times--;
        await readBody(request);
        return sendJson(response, fault.status, { statusCode: fault.status, message: `fake fault ${fault.status}` });
      }
      const found = matchRoute([...control, ...toolbox], request.method ?? "GET", url.pathname);
      if (!found) {
        await readBody(request);
        return sendJson(response, 404, { statusCode: 404, message: `the Daytona fake does not serve ${request.method} ${url.pathname}` });
      }
      await found.route.handle({ request, response, url }, found.params);
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { statusCode: 500, message: String(error) });
    });
  });

  // The log stream: every chunk so far, then the rest as it comes, each behind its stream's marker; closed at the end.
  server.on("upgrade", (request, socket, head) => {
    const url = new URL(request.url ?? "/", "http://fake");
    requests.push(`WS ${url.pathname}`);
    const match = /^\/toolbox\/([^/]+)\/process\/session\/([^/]+)\/command\/([^/]+)\/logs$/.exec(url.pathname);
    const command = match
      ? find(decodeURIComponent(match[1] ?? ""))
          ?.sessions.get(decodeURIComponent(match[2] ?? ""))
          ?.get(match[3] ?? "")
      : undefined;
    if (request.headers.authorization !== `Bearer ${options.apiKey}` || !command) {
      socket.end(`HTTP/1.1 ${command ? "401 Unauthorized" : "404 Not Found"}\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const stop = command.follow(
        (frame) => ws.send(frame),
        () => ws.close(1000),
      );
      ws.on("close", stop);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${origin}/api`,
    requests,
    sandboxNames: () => [...sandboxes.values()].map((s) => String(s.dto.name)),
    failNext: ({ status, times, pathPart = "" }) => void faults.push({ status, times, pathPart }),
    hangNext: ({ times, pathPart = "", method }) => void hangs.push({ times, pathPart, method }),
    close: async () => {
      for (const sandbox of sandboxes.values()) await sandbox.box.dispose();
      sandboxes.clear();
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Words of a command line as the daemon splits it: blanks separate, single and double quotes group, a backslash escapes. */
function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line.charAt(index);
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && index + 1 < line.length) word += line.charAt(++index);
      else word += char;
    } else if (char === " " || char === "\t" || char === "\n") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word ??= "";
      if (char === "'" || char === '"') quote = char;
      else if (char === "\\" && index + 1 < line.length) word += line.charAt(++index);
      else word += char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
