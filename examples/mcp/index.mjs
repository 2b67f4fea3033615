// An MCP client session against `hermes-env mcp` on the local backend, with the official MCP SDK's client:
// `node index.mjs` (from the repository root: `node examples/mcp/index.mjs` after `pnpm build`). The client
// launches the server over stdio, as Claude Code or an editor does. Exits non-zero when it does not behave
// as shown.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const step = (title) => console.log(`\n== ${title}`);
const expect = (actual, expected, what) => {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

// The installed CLI's bin, and a configuration: the local backend in a scratch directory, rm -rf / forbidden.
const cli = join(dirname(createRequire(import.meta.url).resolve("@hermes/cli/package.json")), "dist/main.js");
const dir = await mkdtemp(join(tmpdir(), "hermes-mcp-example-"));
const config = join(dir, "hermes.yaml");
await writeFile(
  config,
  `backend:\n  default: here\n  backends:\n    here: { type: local, cwd: ${dir} }\n  global:\n    forbid: [rm_rf_root]\n`,
);

const client = new Client({ name: "hermes-example", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, "mcp", "--config", config] }));
try {
  step("The tools the server offers");
  const { tools } = await client.listTools();
  console.log(`   ${tools.map((tool) => tool.name).join(", ")}`);

  step("exec twice: the working directory carries over, output streams as progress");
  await client.callTool({ name: "exec", arguments: { command: "mkdir -p project && cd project" } });
  const where = await client.callTool({ name: "exec", arguments: { command: "echo working in $PWD" } }, undefined, {
    onprogress: ({ message }) => console.log(`   (progress) ${message?.trim()}`),
  });
  console.log(`   ${where.content[0].text.replaceAll("\n", "\n   ")}`);
  expect(where.structuredContent.stdout, `working in ${dir}/project\n`, "the session's cwd");

  step("write_file, then read_file");
  await client.callTool({ name: "write_file", arguments: { path: "notes.txt", content: "from the MCP client\n" } });
  const read = await client.callTool({ name: "read_file", arguments: { path: "notes.txt" } });
  expect(read.structuredContent.content, "from the MCP client\n", "the file read back");
  console.log(`   notes.txt: ${read.structuredContent.content.trim()}`);

  step("A denial is a tool error result the agent can read, not a crash");
  const denied = await client.callTool({ name: "exec", arguments: { command: "rm -rf /" } });
  expect(denied.isError, true, "isError");
  console.log(`   ${denied.content[0].text}`);
} finally {
  await client.close();
  await rm(dir, { recursive: true, force: true });
}
console.log("\n   closed: the server and its environment are gone");
