import { parseArgs } from "node:util";
import { type ConfirmCallback, createEnv } from "@hermes/core";
import type { CliIo } from "../cli-io.js";
import { exitCodes } from "../exit-codes.js";
import { usageDirectory } from "../usage-directory.js";
import { UsageError } from "../usage-error.js";

export const mcpUsage = `hermes-env mcp [options]

Serves an MCP server (tools: exec, read_file, write_file, list_directory, get_file_info,
create_directory, remove, spawn, read_process_output, write_process_input, kill_process)
over stdio, for an MCP client that launches it; one environment per session, disposed
when the session ends.

Options:
  --config FILE      configuration file (default: $HERMES_CONFIG, ./hermes.yaml, ~/.hermes/config.yaml)
  --backend NAME     configured instance or backend type (default: the configured default, routed)
  --http PORT        serve Streamable HTTP on 127.0.0.1:PORT instead (0 picks a port); every request
                     needs "Authorization: Bearer <token>": $HERMES_MCP_TOKEN, else a new token,
                     printed once on stderr`;

export async function mcpCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, backend: { type: "string" }, http: { type: "string" } },
  });
  const port = values.http === undefined ? undefined : Number(values.http);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new UsageError(`--http ${JSON.stringify(values.http)} is not a port; use e.g. --http 8765`);
  // Loaded when used: the MCP SDK is large, and the CLI's other commands do not need it.
  const mcp = await import("@hermes/mcp");
  const createEnvironment = async (confirm: ConfirmCallback) => {
    const env = await createEnv({
      ...(values.config !== undefined && { config: values.config }),
      ...(values.backend !== undefined && { backend: values.backend }),
      usage: usageDirectory(io),
      confirm,
    });
    // stdout carries the protocol over stdio: anything else goes to stderr.
    env.on("warning", ({ message }) => io.stderr(`hermes-env: warning: ${message}\n`));
    return env;
  };
  if (port === undefined) {
    const session = await mcp.serveStdio(createEnvironment);
    const unsubscribe = io.onSignal(() => void session.close());
    await session.closed;
    unsubscribe();
    return exitCodes.ok;
  }
  const token = io.env.HERMES_MCP_TOKEN;
  const served = await mcp.serveHttp({ port, createEnvironment, ...(token !== undefined && { token }) });
  io.stderr(`hermes-env: MCP over Streamable HTTP at ${served.url}\n`);
  if (token === undefined) io.stderr(`hermes-env: bearer token (shown once; set HERMES_MCP_TOKEN to choose it): ${served.token}\n`);
  await new Promise<void>((resolve) => {
    const unsubscribe = io.onSignal(() => {
      unsubscribe();
      resolve();
    });
  });
  await served.close();
  return exitCodes.ok;
}
