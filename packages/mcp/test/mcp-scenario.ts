import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";

/** A tool call's result, with its structured content typed loosely for assertions. */
export async function call(client: Client, name: string, args: Record<string, unknown>, options?: RequestOptions) {
  return (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult & {
    structuredContent: Record<string, unknown>;
  };
}

/**
 * What every transport must show: the tools with their schemas, exec twice with the cwd carried over, a file
 * written and read back, a policy denial as an error result (the server's configuration forbids rm_rf_root).
 */
export async function exerciseTools(client: Client, dir: string): Promise<void> {
  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name).sort();
  expect(names).toEqual(
    [
      "create_directory",
      "exec",
      "get_file_info",
      "kill_process",
      "list_directory",
      "read_file",
      "read_process_output",
      "remove",
      "spawn",
      "write_file",
      "write_process_input",
    ].sort(),
  );
  const exec = tools.find((tool) => tool.name === "exec");
  expect(exec?.description).toMatch(/persistent shell/);
  expect(exec?.inputSchema).toMatchObject({
    type: "object",
    properties: { command: { type: "string" }, timeout_ms: { type: "integer" } },
    required: ["command"],
  });

  expect(
    (await call(client, "exec", { command: `mkdir -p ${dir}/work && cd ${dir}/work && export KEPT=yes` })).structuredContent,
  ).toMatchObject({ exit_code: 0 });
  const second = await call(client, "exec", { command: 'echo "$KEPT in $PWD"; echo err >&2; exit 3' });
  expect(second.structuredContent).toMatchObject({
    exit_code: 3,
    stdout: `yes in ${dir}/work\n`,
    stderr: "err\n",
    timed_out: false,
    truncated: false,
    cwd: `${dir}/work`,
  });
  expect(second.isError).toBeFalsy();

  expect((await call(client, "write_file", { path: "notes/a.txt", content: "hello\n" })).structuredContent).toMatchObject({ size: 6 });
  expect((await call(client, "read_file", { path: `${dir}/work/notes/a.txt` })).structuredContent).toMatchObject({
    content: "hello\n",
    encoding: "utf-8",
  });
  await call(client, "write_file", { path: "bin.dat", content: Buffer.from([0, 255, 1]).toString("base64"), encoding: "base64" });
  expect((await call(client, "read_file", { path: "bin.dat" })).structuredContent).toMatchObject({ encoding: "base64", content: "AP8B" });
  const listed = await call(client, "list_directory", { path: "." });
  expect(listed.structuredContent.entries).toEqual([
    { name: "bin.dat", type: "file", size: 3 },
    { name: "notes", type: "directory", size: expect.any(Number) },
  ]);
  expect((await call(client, "get_file_info", { path: "notes/a.txt" })).structuredContent).toMatchObject({ type: "file", size: 6 });
  const missing = await call(client, "read_file", { path: "nope.txt" });
  expect(missing.isError).toBe(true);
  expect(missing.structuredContent).toMatchObject({ error: "FILE_NOT_FOUND" });

  const denied = await call(client, "exec", { command: "rm -rf /" });
  expect(denied.isError).toBe(true);
  expect(denied.structuredContent).toMatchObject({ error: "POLICY_DENIED", rule: "rm_rf_root" });
  expect(String((denied.content[0] as { text: string }).text)).toMatch(/^Denied by the policy \(rule rm_rf_root\): /);
}
