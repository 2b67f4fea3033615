import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { local } from "@hermes/backend-local";
import { createEnv, type ExecutionEnvironment } from "@hermes/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpMcpServer, serveHttp } from "../src/index.js";
import { call, exerciseTools } from "./mcp-scenario.js";

// The official MCP client over Streamable HTTP against serveHttp (what `hermes-env mcp --http PORT` runs).
let dir: string;
let served: HttpMcpServer;
const made: ExecutionEnvironment[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hermes-mcp-http-"));
  served = await serveHttp({
    port: 0,
    token: "test-token-1234",
    createEnvironment: async (confirm) => {
      const env = await createEnv({ backend: local({ cwd: dir }), policy: { forbid: ["rm_rf_root"] }, confirm, usage: false });
      made.push(env);
      return env;
    },
  });
});
afterAll(async () => {
  await served.close();
  await rm(dir, { recursive: true, force: true });
});

function client(token?: string) {
  const transport = new StreamableHTTPClientTransport(new URL(served.url), {
    ...(token !== undefined && { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  });
  return { client: new Client({ name: "hermes-test", version: "1.0.0" }), transport };
}

describe("the MCP server over Streamable HTTP, through the official MCP client", () => {
  it("serves the tools to a client with the token", async () => {
    const { client: mcp, transport } = client(served.token);
    await mcp.connect(transport);
    try {
      await exerciseTools(mcp, dir);
      expect(served.sessions).toBe(1);
    } finally {
      await transport.terminateSession();
      await mcp.close();
    }
  });

  it("refuses a client without the token or with a wrong one, before MCP", async () => {
    for (const token of [undefined, "wrong-token-1234", "test-token-12345"]) {
      const { client: mcp, transport } = client(token);
      await expect(mcp.connect(transport)).rejects.toThrow(/401|Unauthorized|bearer token/i);
    }
    const response = await fetch(served.url, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("gives each session its own environment and disposes of it when the session ends", async () => {
    const before = made.length;
    const first = client(served.token);
    const second = client(served.token);
    await first.client.connect(first.transport);
    await second.client.connect(second.transport);
    await call(first.client, "exec", { command: "cd /tmp" });
    expect((await call(second.client, "exec", { command: "pwd" })).structuredContent.stdout).toBe(`${dir}\n`);
    expect(made.length).toBe(before + 2);
    const shell = Number((await call(first.client, "exec", { command: "echo $$" })).structuredContent.stdout);
    await first.transport.terminateSession();
    await first.client.close();
    await expect
      .poll(() => (made[before] as ExecutionEnvironment).status().then((status) => status.state), { timeout: 5000 })
      .toBe("disposed");
    await expect
      .poll(() => {
        try {
          process.kill(shell, 0);
          return true;
        } catch {
          return false;
        }
      })
      .toBe(false);
    expect(served.sessions).toBe(1);
    await second.transport.terminateSession();
    await second.client.close();
    await expect.poll(() => served.sessions).toBe(0);
  });
});
