import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
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
  /** Every request, as `METHOD path`. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

interface Command {
  id: string;
  command: string;
  child: ChildProcess;
  /** Output as the daemon logs it: each chunk tagged with its stream. */
  chunks: Array<{ stream: "stdout" | "stderr"; data: Buffer }>;
  exitCode: number | undefined;
  /** Both output pipes have ended and the exit code is known. */
  done: boolean;
  followers: Set<(chunk: { stream: "stdout" | "stderr"; data: Buffer } | null) => void>;
}

interface FakeSandbox {
  dto: Record<string, unknown>;
  box: LocalSandbox;
  env: Record<string, string>;
  sessions: Map<string, Map<string, Command>>;
}

interface Context {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
}

const stdoutPrefix = Buffer.from([1, 1, 1]);
const stderrPrefix = Buffer.from([2, 2, 2]);
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
  const busboy = (await import("busboy")).default;
  const sandboxes = new Map<string, FakeSandbox>();
  const requests: string[] = [];
  const faults: Array<{ status: number; times: number; pathPart: string }> = [];
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
  const commandOf = (context: Context, params: Record<string, string>): Command | undefined => {
    const sandbox = sandboxOf(context, params.id);
    const command = sandbox?.sessions.get(params.session ?? "")?.get(params.command ?? "");
    if (sandbox && !command) notFound(context.response, `command ${params.command}`);
    return command;
  };

  const startCommand = (sandbox: FakeSandbox, text: string): Command => {
    const child = sandbox.box.run(text, sandbox.env);
    const command: Command = { id: randomUUID(), command: text, child, chunks: [], exitCode: undefined, done: false, followers: new Set() };
    let open = 2;
    const finish = () => {
      if (open > 0 || command.exitCode === undefined || command.done) return;
      command.done = true;
      for (const follow of command.followers) follow(null);
    };
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream]?.on("data", (data: Buffer) => {
        const chunk = { stream, data };
        command.chunks.push(chunk);
        for (const follow of command.followers) follow(chunk);
      });
      child[stream]?.on("end", () => {
        open--;
        finish();
      });
    }
    child.stdin?.on("error", () => {});
    child.on("exit", (code, signal) => {
      command.exitCode = code ?? 128 + (signal === "SIGKILL" ? 9 : 15);
      finish();
    });
    return command;
  };

  const dto = (sandbox: FakeSandbox) => ({ ...sandbox.dto, toolboxProxyUrl: `${origin}/toolbox`, updatedAt: new Date().toISOString() });

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
      sendJson(response, 200, dto(sandbox));
    }),
    route("GET", "/api/sandbox", ({ response, url }) => {
      const wanted = JSON.parse(url.searchParams.get("labels") ?? "{}") as Record<string, string>;
      const items = [...sandboxes.values()]
        .filter((s) => Object.entries(wanted).every(([key, value]) => (s.dto.labels as Record<string, string>)[key] === value))
        .map(dto);
      sendJson(response, 200, { items, total: items.length, page: 1, totalPages: 1 });
    }),
    route("GET", "/api/sandbox/:id", (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (sandbox) sendJson(context.response, 200, dto(sandbox));
    }),
    route("GET", "/api/sandbox/:id/toolbox-proxy-url", (context, { id }) => {
      if (sandboxOf(context, id)) sendJson(context.response, 200, { url: `${origin}/toolbox` });
    }),
    route("POST", "/api/sandbox/:id/stop", async (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      await sandbox.box.killAll();
      sandbox.sessions.clear();
      sandbox.dto.state = "stopped";
      sendJson(context.response, 200, dto(sandbox));
    }),
    route("POST", "/api/sandbox/:id/start", (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      sandbox.dto.state = "started";
      sendJson(context.response, 200, dto(sandbox));
    }),
    route("DELETE", "/api/sandbox/:id", async (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      sandboxes.delete(sandbox.dto.id as string);
      await sandbox.box.dispose();
      sandbox.dto.state = "destroyed";
      sendJson(context.response, 200, dto(sandbox));
    }),
  ];

  const toolbox: Route<Context>[] = [
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
      const command = startCommand(sandbox, String(body.command ?? ""));
      commands.set(command.id, command);
      if (body.runAsync || body.async) return sendJson(context.response, 202, { cmdId: command.id });
      await new Promise<void>((resolve) => (command.done ? resolve() : command.followers.add((chunk) => chunk === null && resolve())));
      const text = (stream?: "stdout" | "stderr") =>
        Buffer.concat(command.chunks.filter((c) => !stream || c.stream === stream).map((c) => c.data)).toString("utf8");
      sendJson(context.response, 200, {
        cmdId: command.id,
        output: text(),
        stdout: text("stdout"),
        stderr: text("stderr"),
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
      command.child.stdin?.write(String(body.data ?? ""));
      sendJson(context.response, 200, undefined);
    }),
    route("DELETE", "/toolbox/:id/process/session/:session", (context, { id, session }) => {
      const sandbox = sandboxOf(context, id);
      const commands = sandbox?.sessions.get(session ?? "");
      if (!sandbox) return;
      if (!commands) return notFound(context.response, `session ${session}`);
      for (const command of commands.values()) if (!command.done && command.child.pid) killGroup(command.child.pid);
      sandbox.sessions.delete(session ?? "");
      sendJson(context.response, 204, undefined);
    }),
    route("POST", "/toolbox/:id/files/bulk-upload", async (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const paths = new Map<string, string>();
      const contents = new Map<string, Buffer>();
      await new Promise<void>((resolve, reject) => {
        const parser = busboy({ headers: context.request.headers });
        parser.on("field", (name, value) => paths.set(name.replace(/\.path$/, ""), value));
        parser.on("file", (name, stream) => {
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => contents.set(name.replace(/\.file$/, ""), Buffer.concat(chunks)));
        });
        parser.on("close", resolve).on("error", reject);
        context.request.pipe(parser);
      });
      for (const [key, path] of paths) {
        const target = sandbox.box.hostPath(path);
        if (!target) return sendJson(context.response, 403, { statusCode: 403, message: `${path}: read-only file system` });
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, contents.get(key) ?? Buffer.alloc(0));
      }
      sendJson(context.response, 200, undefined);
    }),
    route("POST", "/toolbox/:id/files/permissions", async (context, { id }) => {
      await readBody(context.request);
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const path = context.url.searchParams.get("path") ?? "";
      const mode = context.url.searchParams.get("mode");
      const target = sandbox.box.hostPath(path);
      if (!target) return sendJson(context.response, 403, { statusCode: 403, message: `${path}: read-only file system` });
      if (mode) await chmod(target, Number.parseInt(mode, 8));
      sendJson(context.response, 200, undefined);
    }),
    route("POST", "/toolbox/:id/files/bulk-download", async (context, { id }) => {
      const body = await readJson(context.request);
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const boundary = `fake-${randomUUID()}`;
      const parts: Buffer[] = [];
      for (const path of (body.paths as string[] | undefined) ?? []) {
        const hostPath = sandbox.box.hostPath(path) ?? path;
        const content: Buffer | NodeJS.ErrnoException = await readFile(hostPath).catch((error: NodeJS.ErrnoException) => error);
        const head = (name: string, type: string) =>
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${path}"\r\nContent-Type: ${type}\r\n\r\n`,
          );
        if (Buffer.isBuffer(content)) parts.push(head("file", "application/octet-stream"), content, Buffer.from("\r\n"));
        else {
          const missing = content.code === "ENOENT" || content.code === "ENOTDIR";
          const status = missing ? 404 : content.code === "EISDIR" ? 400 : 403;
          const error = {
            message: `${path}: ${missing ? "file not found" : content.message}`,
            statusCode: status,
            code: missing ? "FILE_NOT_FOUND" : "BAD_REQUEST",
          };
          parts.push(head("error", "application/json"), Buffer.from(JSON.stringify(error)), Buffer.from("\r\n"));
        }
      }
      parts.push(Buffer.from(`--${boundary}--\r\n`));
      const payload = Buffer.concat(parts);
      context.response.writeHead(200, { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": payload.length });
      context.response.end(payload);
    }),
  ];

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    requests.push(`${request.method} ${url.pathname}`);
    void (async () => {
      if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
        await readBody(request);
        return sendJson(response, 401, { statusCode: 401, message: "Unauthorized: invalid API key", code: "UNAUTHORIZED" });
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
      const send = (chunk: { stream: "stdout" | "stderr"; data: Buffer } | null) => {
        if (chunk === null) {
          command.followers.delete(send);
          ws.close(1000);
        } else ws.send(Buffer.concat([chunk.stream === "stdout" ? stdoutPrefix : stderrPrefix, chunk.data]));
      };
      for (const chunk of command.chunks) send(chunk);
      if (command.done) send(null);
      else command.followers.add(send);
      ws.on("close", () => command.followers.delete(send));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${origin}/api`,
    requests,
    sandboxNames: () => [...sandboxes.values()].map((s) => String(s.dto.name)),
    failNext: ({ status, times, pathPart = "" }) => void faults.push({ status, times, pathPart }),
    close: async () => {
      for (const sandbox of sandboxes.values()) await sandbox.box.dispose();
      sandboxes.clear();
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {}
}
