import type { ExecResult } from "@hermes/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { SessionEnvironment } from "./session-environment.js";
import { answer, guarded } from "./tool-result.js";

const task = z
  .object({
    kind: z
      .string()
      .optional()
      .describe('What the command is for, e.g. "test", "data_processing": a routed configuration picks its backend by it.'),
    language: z.string().optional(),
    size_mb: z.number().nonnegative().optional().describe("Size of the data the task works on, in MB."),
  })
  .optional();

/**
 * `exec`: a bash command line in the session's persistent shell, so `cd` and `export` carry over to the
 * next call. Output goes out as progress notifications while it runs when the client asked for progress;
 * a cancelled request kills the command's whole process tree.
 */
export function registerExecTool(server: McpServer, session: SessionEnvironment): void {
  server.registerTool(
    "exec",
    {
      title: "Run a shell command",
      description:
        "Run a bash command line in a persistent shell session: the working directory and exported variables carry over to the next call. Returns the exit code, stdout and stderr (each capped at 1 MiB, middle dropped, `truncated` set), and whether it timed out.",
      inputSchema: {
        command: z.string().min(1).describe("A bash command line, e.g. `cd src && make test`."),
        cwd: z.string().optional().describe("Run in this directory for this call only (the session's directory stays)."),
        timeout_ms: z
          .number()
          .int()
          .positive()
          .optional()
          .describe("Wall-clock limit; default the environment's (180 s unless configured)."),
        task,
      },
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    ({ command, cwd, timeout_ms, task }, extra) =>
      guarded(async () => {
        const env = await session.get();
        const token = extra._meta?.progressToken;
        let progress = 0;
        // Awaited before the result: the client stops listening for a request's progress once it is answered.
        const sent: Promise<void>[] = [];
        const report =
          token === undefined
            ? undefined
            : (chunk: string) => {
                const params = { progressToken: token, progress: ++progress, message: chunk };
                sent.push(extra.sendNotification({ method: "notifications/progress", params }).catch(() => {}));
              };
        const result = await env.exec(command, {
          signal: extra.signal,
          ...(cwd !== undefined && { cwd }),
          ...(timeout_ms !== undefined && { timeoutMs: timeout_ms }),
          ...(task !== undefined && {
            task: {
              ...(task.kind !== undefined && { kind: task.kind }),
              ...(task.language !== undefined && { language: task.language }),
              ...(task.size_mb !== undefined && { sizeMb: task.size_mb }),
            },
          }),
          ...(report && { onStdout: report, onStderr: report }),
        });
        await Promise.all(sent);
        return answer(summary(result), {
          exit_code: result.exitCode,
          signal: result.signal,
          stdout: result.stdout,
          stderr: result.stderr,
          timed_out: result.timedOut,
          truncated: result.truncated,
          cwd: result.cwd,
          backend: result.backend,
          duration_ms: Math.round(result.durationMs),
        });
      }),
  );
}

/** The result as a model reads it best: how it ended, then each stream under its name. */
function summary(result: ExecResult): string {
  const ended = result.timedOut
    ? `timed out after ${Math.round(result.durationMs)} ms (killed)`
    : result.exitCode !== null
      ? `exit code ${result.exitCode}`
      : `ended by ${result.signal}`;
  const parts = [`${ended}; cwd ${result.cwd}${result.truncated ? "; output truncated" : ""}`];
  if (result.stdout) parts.push(`stdout:\n${result.stdout}`);
  if (result.stderr) parts.push(`stderr:\n${result.stderr}`);
  return parts.join("\n");
}
