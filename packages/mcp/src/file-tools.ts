import { FileSystemError } from "@hermes/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { SessionEnvironment } from "./session-environment.js";
import { answer, guarded } from "./tool-result.js";

const path = z.string().min(1).describe("A path in the environment; relative paths follow the session's working directory.");

/** The file tools, named as MCP filesystem servers name them; paths are the environment's, under its policy. */
export function registerFileTools(server: McpServer, session: SessionEnvironment): void {
  server.registerTool(
    "read_file",
    {
      title: "Read a file",
      description: "Read a file's contents: as UTF-8 text, or as base64 when it is not valid UTF-8 (or when asked).",
      inputSchema: { path, encoding: z.enum(["utf-8", "base64"]).optional() },
      annotations: { readOnlyHint: true },
    },
    ({ path, encoding }) =>
      guarded(async () => {
        const bytes = await (await session.get()).files.read(path);
        if (bytes === null) throw new FileSystemError({ reason: "NotFound", path, operation: "read_file" });
        const text = encoding === "base64" ? undefined : utf8(bytes);
        if (text !== undefined) return answer(text, { path, encoding: "utf-8", content: text, size: bytes.byteLength });
        const base64 = Buffer.from(bytes).toString("base64");
        return answer(base64, { path, encoding: "base64", content: base64, size: bytes.byteLength });
      }),
  );
  server.registerTool(
    "write_file",
    {
      title: "Write a file",
      description: "Create or replace a file (missing parent directories are made). Content is UTF-8 text, or base64 with encoding base64.",
      inputSchema: { path, content: z.string(), encoding: z.enum(["utf-8", "base64"]).optional() },
      annotations: { destructiveHint: true },
    },
    ({ path, content, encoding }) =>
      guarded(async () => {
        const data = encoding === "base64" ? new Uint8Array(Buffer.from(content, "base64")) : content;
        await (await session.get()).files.write(path, data);
        const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
        return answer(`wrote ${size} bytes to ${path}`, { path, size });
      }),
  );
  server.registerTool(
    "list_directory",
    {
      title: "List a directory",
      description: "List a directory's entries with their type (file, directory, symlink, other) and size.",
      inputSchema: { path: path.default(".") },
      annotations: { readOnlyHint: true },
    },
    ({ path }) =>
      guarded(async () => {
        const entries = (await (await session.get()).files.list(path)).sort((a, b) => a.name.localeCompare(b.name));
        const lines = entries.map((entry) => `[${entry.type === "directory" ? "DIR" : entry.type.toUpperCase()}] ${entry.name}`);
        return answer(lines.join("\n") || "(empty)", {
          path,
          entries: entries.map(({ name, type, size }) => ({ name, type, size })),
        });
      }),
  );
  server.registerTool(
    "get_file_info",
    {
      title: "Stat a path",
      description: "Type, size, permission bits and modification time of a path (a symbolic link itself, not its target).",
      inputSchema: { path },
      annotations: { readOnlyHint: true },
    },
    ({ path }) =>
      guarded(async () => {
        const found = await (await session.get()).files.stat(path);
        if (!found) throw new FileSystemError({ reason: "NotFound", path, operation: "get_file_info" });
        const info = {
          path: found.path,
          type: found.type,
          size: found.size,
          mode: `0${found.mode.toString(8)}`,
          modified: found.mtime.toISOString(),
        };
        return answer(
          Object.entries(info)
            .map(([key, value]) => `${key}: ${value}`)
            .join("\n"),
          info,
        );
      }),
  );
  server.registerTool(
    "create_directory",
    {
      title: "Make a directory",
      description: "Make a directory and any missing parents; succeeds when it exists already.",
      inputSchema: { path },
    },
    ({ path }) =>
      guarded(async () => {
        await (await session.get()).files.mkdir(path, { recursive: true });
        return answer(`made ${path}`, { path });
      }),
  );
  server.registerTool(
    "remove",
    {
      title: "Remove a path",
      description: "Remove a file, a symbolic link, or (with recursive) a directory and everything in it.",
      inputSchema: { path, recursive: z.boolean().optional().describe("Needed for a directory that is not empty.") },
      annotations: { destructiveHint: true },
    },
    ({ path, recursive }) =>
      guarded(async () => {
        await (await session.get()).files.remove(path, { recursive: recursive === true });
        return answer(`removed ${path}`, { path });
      }),
  );
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
