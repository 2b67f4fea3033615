import { type Experimental_SandboxDirectoryEntry, type Experimental_SandboxSession, type Tool, tool } from "ai";
import { z } from "zod";

type Found<T> = ({ found: true; path: string } & T) | { found: false; path: string };

/** The tools `hermesTools` gives, by the names an agent calls them. */
export type HermesTools = {
  bash: Tool<{ command: string; workingDirectory?: string | undefined }, { exitCode: number; stdout: string; stderr: string }>;
  readFile: Tool<{ path: string; startLine?: number | undefined; endLine?: number | undefined }, Found<{ content: string }>>;
  writeFile: Tool<{ path: string; content: string }, { written: string; bytes: number }>;
  listDirectory: Tool<{ path: string }, Found<{ entries: Experimental_SandboxDirectoryEntry[] }>>;
};

/**
 * A bash tool and file tools for agents that bring none of their own, built with the AI SDK's `tool()`.
 * Each runs in the sandbox `generateText` passes to tools (`experimental_sandbox`), else in `sandbox`.
 */
export function hermesTools(sandbox: Experimental_SandboxSession): HermesTools {
  const within = (options: { experimental_sandbox?: Experimental_SandboxSession }) => options.experimental_sandbox ?? sandbox;
  return {
    bash: tool({
      description: `Run a bash command and get its exit code, stdout and stderr.\n${sandbox.description}`,
      inputSchema: z.object({
        command: z.string().describe("A bash command line, e.g. `ls -la` or `python3 script.py > out.txt`."),
        workingDirectory: z.string().optional().describe("Where to run it, relative to the working directory; default that directory."),
      }),
      execute: async ({ command, workingDirectory }, options) =>
        within(options).run({
          command,
          ...(workingDirectory !== undefined && { workingDirectory }),
          ...(options.abortSignal !== undefined && { abortSignal: options.abortSignal }),
        }),
    }),
    readFile: tool({
      description: "Read a text file, whole or by lines (1-based, inclusive). Says so when the file does not exist.",
      inputSchema: z.object({
        path: z.string(),
        startLine: z.number().int().positive().optional(),
        endLine: z.number().int().positive().optional(),
      }),
      execute: async ({ path, startLine, endLine }, options) => {
        const content = await within(options).readTextFile({
          path,
          ...(startLine !== undefined && { startLine }),
          ...(endLine !== undefined && { endLine }),
        });
        return content === null ? { found: false as const, path } : { found: true as const, path, content };
      },
    }),
    writeFile: tool({
      description: "Write a text file, replacing it if it exists; missing parent directories are made.",
      inputSchema: z.object({ path: z.string(), content: z.string() }),
      execute: async ({ path, content }, options) => {
        await within(options).writeTextFile({ path, content });
        return { written: path, bytes: Buffer.byteLength(content) };
      },
    }),
    listDirectory: tool({
      description: "List a directory's entries (name and type: file, directory, symlink or other).",
      inputSchema: z.object({ path: z.string().default(".") }),
      execute: async ({ path }, options) => {
        const entries = await within(options).listDirectory({ path });
        return entries === null ? { found: false as const, path } : { found: true as const, path, entries };
      },
    }),
  };
}
