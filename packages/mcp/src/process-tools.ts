import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { BackgroundProcesses } from "./background-processes.js";
import type { SessionEnvironment } from "./session-environment.js";
import { answer, guarded } from "./tool-result.js";

const processId = z.string().min(1).describe("The id `spawn` gave.");

/** Background processes: start one, read what it printed since the last read, write to it, end it. */
export function registerProcessTools(server: McpServer, session: SessionEnvironment): void {
  const processes = new BackgroundProcesses();
  server.registerTool(
    "spawn",
    {
      title: "Start a background process",
      description:
        "Start a bash command line in the background (a server, a watcher, a long build) and get its id at once. Read its output with read_process_output, send it input with write_process_input, end it with kill_process. It ends with the session.",
      inputSchema: { command: z.string().min(1), cwd: z.string().optional() },
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    ({ command, cwd }) =>
      guarded(async () => {
        const handle = await (await session.get()).spawn(command, { ...(cwd !== undefined && { cwd }) });
        const id = processes.add(handle, command);
        return answer(`started ${id}${handle.pid !== undefined ? ` (pid ${handle.pid})` : ""}: ${command}`, {
          process_id: id,
          pid: handle.pid ?? null,
        });
      }),
  );
  server.registerTool(
    "read_process_output",
    {
      title: "Read a background process's output",
      description:
        "The stdout and stderr a spawned process printed since the last read, and whether it is still running (with its exit code once it ended).",
      inputSchema: { process_id: processId },
      annotations: { readOnlyHint: true },
    },
    ({ process_id }) =>
      guarded(async () => {
        const read = processes.read(process_id);
        const state = read.running ? "running" : read.exitCode !== null ? `exited with ${read.exitCode}` : `ended by ${read.signal}`;
        const text = [
          `${process_id}: ${state}${read.dropped ? `; ${read.dropped} older characters dropped` : ""}`,
          ...(read.stdout ? [`stdout:\n${read.stdout}`] : []),
          ...(read.stderr ? [`stderr:\n${read.stderr}`] : []),
        ].join("\n");
        return answer(text, {
          process_id,
          running: read.running,
          exit_code: read.exitCode,
          signal: read.signal,
          stdout: read.stdout,
          stderr: read.stderr,
          dropped: read.dropped,
        });
      }),
  );
  server.registerTool(
    "write_process_input",
    {
      title: "Write to a background process",
      description: "Write text to a spawned process's stdin; with close, end its input afterwards (it reads end-of-file).",
      inputSchema: { process_id: processId, input: z.string(), close: z.boolean().optional() },
    },
    ({ process_id, input, close }) =>
      guarded(async () => {
        const { handle } = processes.get(process_id);
        if (input) await handle.write(input);
        if (close) await handle.closeStdin();
        return answer(`wrote ${Buffer.byteLength(input)} bytes to ${process_id}${close ? " and closed its input" : ""}`, { process_id });
      }),
  );
  server.registerTool(
    "kill_process",
    {
      title: "End a background process",
      description:
        "End a spawned process and everything it started (SIGTERM, then SIGKILL after a grace period, unless a signal is given).",
      inputSchema: { process_id: processId, signal: z.enum(["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP"]).optional() },
      annotations: { destructiveHint: true },
    },
    ({ process_id, signal }) =>
      guarded(async () => {
        const { handle } = processes.get(process_id);
        await handle.kill(signal);
        const result = await handle.wait();
        return answer(`${process_id} ended (${result.exitCode !== null ? `exit code ${result.exitCode}` : result.signal})`, {
          process_id,
          exit_code: result.exitCode,
          signal: result.signal,
        });
      }),
  );
}
