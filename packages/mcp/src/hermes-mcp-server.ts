import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { confirmByElicitation } from "./confirm-by-elicitation.js";
import { registerExecTool } from "./exec-tool.js";
import { registerFileTools } from "./file-tools.js";
import { registerProcessTools } from "./process-tools.js";
import { type EnvironmentFactory, SessionEnvironment } from "./session-environment.js";

export interface HermesMcpServer {
  readonly server: McpServer;
  /** The session's environment (made at the first tool call). */
  readonly environment: SessionEnvironment;
  /** Ends the session: its environment is disposed, the transport closed. */
  close(): Promise<void>;
  /** Resolves once the session has ended and its environment is disposed, however it ended. */
  readonly closed: Promise<void>;
}

const version = "0.1.0";

/**
 * An MCP server for one session: the exec, file and process tools over one environment, made by
 * `createEnvironment` at the first tool call and disposed when the session closes.
 */
export function createHermesMcpServer(createEnvironment: EnvironmentFactory): HermesMcpServer {
  const server = new McpServer(
    { name: "hermes-env", title: "Hermes execution environment", version },
    {
      instructions:
        "Tools to run shell commands and work with files in one execution environment (a container, a remote host or a sandbox, as configured). `exec` keeps its working directory and exported variables between calls; `spawn` starts background processes. Paths are the environment's.",
    },
  );
  const environment = new SessionEnvironment(createEnvironment, confirmByElicitation(server.server));
  registerExecTool(server, environment);
  registerFileTools(server, environment);
  registerProcessTools(server, environment);
  let closing: Promise<void> | undefined;
  let ended = () => {};
  const closed = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const close = () => {
    closing ??= (async () => {
      try {
        await environment.dispose();
        await server.close();
      } finally {
        ended();
      }
    })();
    return closing;
  };
  // However the session ends (the client closes stdin, an HTTP session is deleted), the environment goes.
  server.server.onclose = () => void close();
  return { server, environment, close, closed };
}
