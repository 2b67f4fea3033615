import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createHermesMcpServer, type HermesMcpServer } from "./hermes-mcp-server.js";
import type { EnvironmentFactory } from "./session-environment.js";

/**
 * Serves one MCP session over this process's stdin and stdout (what MCP clients launch); resolves with
 * the session, which ends, and disposes of its environment, when the client closes stdin.
 */
export async function serveStdio(createEnvironment: EnvironmentFactory): Promise<HermesMcpServer> {
  const session = createHermesMcpServer(createEnvironment);
  const transport = new StdioServerTransport();
  // The stdio transport does not notice the end of stdin itself.
  process.stdin.once("end", () => void session.close());
  await session.server.connect(transport);
  return session;
}
