import type { ServerResponse } from "node:http";
import { posix } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { FakeCommand } from "./fake-command.js";
import { type Route, readJson, route, sendJson } from "./http-json.js";
import { liveSession, sessionOf } from "./vercel-session-routes.js";
import { type CommandState, type Context, commandJson, newId, sendError, type VercelState, workDir } from "./vercel-state.js";

/** Runs argv with no shell in between: `$0` is the program and `$@` its arguments, exactly as sent. */
const execArgv = 'exec "$0" "$@"';

/**
 * Session commands as `@vercel/sandbox` runs them: argv (no shell, no stdin) in `cwd` (default the sandbox's
 * working directory) with the sandbox's env under the command's. Output goes out as NDJSON log lines,
 * `{"stream":"stdout"|"stderr","data":text}`; a caller that waits gets them between the command's own lines,
 * first with `exitCode: null`, last with the exit code.
 */
export function commandRoutes(state: VercelState): Route<Context>[] {
  const commandOf = (context: Context, params: Record<string, string>): CommandState | undefined => {
    const found = sessionOf(state, context, params.session);
    const command = found?.session.commands.get(params.command ?? "");
    if (found && !command) sendError(context.response, 404, "not_found", `command ${params.command} not found`);
    return command;
  };
  return [
    route("POST", "/api/v2/sandboxes/sessions/:session/cmd", async (context, params) => {
      const body = await readJson(context.request);
      const found = liveSession(state, context, params.session);
      if (!found) return;
      if (typeof body.command !== "string" || !body.command) return sendError(context.response, 400, "bad_request", "command is required");
      const args = Array.isArray(body.args) ? body.args.map(String) : [];
      const cwd = posix.resolve(workDir, typeof body.cwd === "string" ? body.cwd : ".");
      const env = { ...found.sandbox.env, ...(body.env as Record<string, string> | undefined) };
      // `sudo` changes nothing here: every command runs as this machine's user.
      const run = new FakeCommand(found.box, execArgv, env, { cwd, args: [body.command, ...args], input: false });
      const command: CommandState = {
        id: newId("cmd"),
        name: body.command,
        args,
        cwd,
        sessionId: found.session.id,
        startedAt: Date.now(),
        run,
      };
      found.session.commands.set(command.id, command);
      if (typeof body.timeout === "number" && body.timeout > 0) killAfter(run, body.timeout);
      if (body.wait !== true) return sendJson(context.response, 200, { command: commandJson(command) });
      const ndjson = startNdjson(context.response);
      ndjson.line({ command: commandJson(command) });
      const finish = () => {
        ndjson.line({ command: commandJson(command) });
        ndjson.end();
      };
      if (body.logs === true) followLogs(command, ndjson.line, finish, context.response);
      else void run.finished.then(finish);
    }),
    route("GET", "/api/v2/sandboxes/sessions/:session/cmd/:command", async (context, params) => {
      const command = commandOf(context, params);
      if (!command) return;
      if (context.url.searchParams.get("wait") === "true") await command.run.finished;
      sendJson(context.response, 200, { command: commandJson(command) });
    }),
    // Everything so far, then the rest as it comes; the stream ends when the command does.
    route("GET", "/api/v2/sandboxes/sessions/:session/cmd/:command/logs", (context, params) => {
      const command = commandOf(context, params);
      if (!command) return;
      const ndjson = startNdjson(context.response);
      followLogs(command, ndjson.line, ndjson.end, context.response);
    }),
    // Signals the command's process group and answers at once; `wait` gives its end.
    route("POST", "/api/v2/sandboxes/sessions/:session/cmd/:command/kill", async (context, params) => {
      const body = await readJson(context.request);
      const command = commandOf(context, params);
      if (!command) return;
      command.run.kill(typeof body.signal === "number" ? body.signal : "SIGTERM");
      sendJson(context.response, 200, { command: commandJson(command) });
    }),
  ];
}

/** The SDK compares the content type exactly (no charset). Nothing is written once the caller has gone. */
function startNdjson(response: ServerResponse) {
  response.writeHead(200, { "content-type": "application/x-ndjson" });
  return {
    line: (value: unknown) => void (response.destroyed || response.write(`${JSON.stringify(value)}\n`)),
    end: () => void (response.destroyed || response.end()),
  };
}

/** The command's output as log lines, decoded as UTF-8 per stream, so a character split between two chunks stays whole. */
function followLogs(command: CommandState, line: (value: unknown) => void, end: () => void, response: ServerResponse): void {
  const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  const stop = command.run.tail((chunk) => {
    if (chunk) {
      const data = decoders[chunk.stream].write(chunk.data);
      if (data) line({ stream: chunk.stream, data });
      return;
    }
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = decoders[stream].end();
      if (rest) line({ stream, data: rest });
    }
    end();
  });
  response.on("close", stop);
}

/** The command's own timeout (the SDK's `timeoutMs`) ends it as a kill would. */
function killAfter(run: FakeCommand, ms: number): void {
  const timer = setTimeout(() => run.kill(), ms).unref();
  void run.finished.then(() => clearTimeout(timer));
}
