import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, exerciseTools } from "./mcp-scenario.js";

// The official MCP client launching `hermes-env mcp` as an MCP client does (the built CLI, `pnpm test` builds first).
const cli = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hermes-mcp-stdio-"));
  config = join(dir, "hermes.yaml");
  await writeFile(
    config,
    JSON.stringify({
      backend: {
        default: "here",
        backends: { here: { type: "local", cwd: dir } },
        global: { forbid: ["rm_rf_root"], require_confirm: ["delete_file"] },
      },
    }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function connect(capabilities: ConstructorParameters<typeof Client>[1] = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, "mcp", "--config", config],
    env: { ...(process.env as Record<string, string>), HERMES_HOME: join(dir, "home") },
    stderr: "pipe",
  });
  const client = new Client({ name: "hermes-test", version: "1.0.0" }, capabilities);
  await client.connect(transport);
  return { client, transport };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("hermes-env mcp over stdio, through the official MCP client", () => {
  it("lists the tools, keeps the cwd between execs, reads and writes files, and gives a denial as an error result", async () => {
    const { client } = await connect();
    try {
      await exerciseTools(client, dir);
    } finally {
      await client.close();
    }
  });

  it("streams a command's output as progress, runs background processes, and kills a cancelled exec's processes", async () => {
    const { client } = await connect();
    try {
      const messages: string[] = [];
      const streamed = await call(
        client,
        "exec",
        { command: "for i in 1 2 3; do echo line $i; sleep 0.1; done" },
        { onprogress: ({ message }) => messages.push(message ?? "") },
      );
      expect(streamed.structuredContent).toMatchObject({ stdout: "line 1\nline 2\nline 3\n" });
      expect(messages.join("")).toBe("line 1\nline 2\nline 3\n");
      expect(messages.length).toBeGreaterThan(1);

      const started = await call(client, "spawn", { command: "read name; echo hello $name; sleep 30" });
      const id = started.structuredContent.process_id as string;
      await call(client, "write_process_input", { process_id: id, input: "agent\n" });
      await expect
        .poll(async () => (await call(client, "read_process_output", { process_id: id })).structuredContent.stdout, { timeout: 5000 })
        .toBe("hello agent\n");
      expect((await call(client, "read_process_output", { process_id: id })).structuredContent).toMatchObject({
        running: true,
        stdout: "",
      });
      expect((await call(client, "kill_process", { process_id: id })).structuredContent).toMatchObject({ exit_code: null });
      expect((await call(client, "read_process_output", { process_id: id })).structuredContent).toMatchObject({ running: false });

      const cancel = new AbortController();
      const pidFile = join(dir, "cancelled.pid");
      const running = call(client, "exec", { command: `sleep 60 & echo $! > ${pidFile}; wait` }, { signal: cancel.signal });
      await expect.poll(() => readFile(pidFile, "utf8").catch(() => ""), { timeout: 5000 }).toMatch(/^\d+\n$/);
      const pid = Number(await readFile(pidFile, "utf8"));
      expect(alive(pid)).toBe(true);
      cancel.abort();
      await expect(running).rejects.toThrow();
      await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("asks the user through elicitation for require_confirm, and refuses with the reason when the client cannot ask", async () => {
    const asked: string[] = [];
    const { client } = await connect({ capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: "accept", content: { approve: !request.params.message.includes("keep.txt") } };
    });
    try {
      await call(client, "write_file", { path: join(dir, "gone.txt"), content: "x" });
      await call(client, "write_file", { path: join(dir, "keep.txt"), content: "x" });
      expect((await call(client, "remove", { path: join(dir, "gone.txt") })).isError).toBeFalsy();
      const refused = await call(client, "remove", { path: join(dir, "keep.txt") });
      expect(refused.isError).toBe(true);
      expect(refused.structuredContent).toMatchObject({ error: "POLICY_DENIED" });
      expect(asked).toEqual([expect.stringMatching(/delete file .*gone\.txt/), expect.stringMatching(/keep\.txt/)]);
    } finally {
      await client.close();
    }
    const { client: plain } = await connect();
    try {
      const refused = await call(plain, "remove", { path: join(dir, "keep.txt") });
      expect(refused.isError).toBe(true);
      expect(String((refused.content[0] as { text: string }).text)).toMatch(/no elicitation support/);
    } finally {
      await plain.close();
    }
  });

  it("ends the server, its environment and the environment's processes when the client closes", async () => {
    const { client, transport } = await connect();
    const shell = Number((await call(client, "exec", { command: "echo $$" })).structuredContent.stdout);
    const background = Number((await call(client, "spawn", { command: "sleep 60 & echo $!; wait" })).structuredContent.pid);
    expect(alive(shell)).toBe(true);
    const server = transport.pid;
    await client.close();
    await expect.poll(() => alive(shell), { timeout: 10_000 }).toBe(false);
    if (background) await expect.poll(() => alive(background), { timeout: 10_000 }).toBe(false);
    if (server) await expect.poll(() => alive(server), { timeout: 10_000 }).toBe(false);
  });

  it("serves Streamable HTTP with --http, printing a new token once, and stops on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HERMES_HOME: join(dir, "home") };
    delete env.HERMES_MCP_TOKEN;
    const server = spawn(process.execPath, [cli, "mcp", "--config", config, "--http", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    server.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    await expect.poll(() => /bearer token .*: (\S+)\n/.test(stderr), { timeout: 10_000 }).toBe(true);
    const url = /at (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1] ?? "";
    const token = /bearer token .*: (\S+)\n/.exec(stderr)?.[1] ?? "";
    expect(token.length).toBeGreaterThanOrEqual(24);
    const client = new Client({ name: "hermes-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    await client.connect(transport);
    expect((await call(client, "exec", { command: "echo over http" })).structuredContent).toMatchObject({ stdout: "over http\n" });
    await client.close();
    server.kill("SIGTERM");
    const [code] = await once(server, "exit");
    expect(code).toBe(0);
    expect(stderr.match(new RegExp(token, "g"))).toHaveLength(1);
  });
});
