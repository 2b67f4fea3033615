import { type ExecutionEnvironment, FileSystemError } from "@hermes/core";
import type { Experimental_SandboxDirectoryEntry, Experimental_SandboxFileStat, Experimental_SandboxSession } from "ai";
import { resolveAgainst, startingDirectory } from "./sandbox-paths.js";
import { exitCodeOf, sandboxProcess } from "./sandbox-process.js";
import { decodeText, encodeText, linesOf } from "./text-encoding.js";

/** The widest of `spawn`'s overloads (the spec's own name for it is not re-exported by `ai`). */
type SpawnOptions = Parameters<Experimental_SandboxSession["spawn"]>[0];

export interface SandboxSessionOptions {
  /** The directory relative paths resolve against, for the session's whole life. Default: where the environment's commands start now. */
  baseDirectory?: string;
  /** Added to the `description` the agent reads (what the environment is for, what it may use). */
  note?: string;
}

/**
 * An environment as the AI SDK's `Experimental_SandboxSession`, following that contract where it differs
 * from Hermes's own: every command runs on its own (`session: false`), so a `cd` or `export` lasts only for
 * that command, and relative paths resolve against one base directory that never changes. Everything goes
 * through the environment as given, its policy and routing included.
 */
export async function hermesSandbox(env: ExecutionEnvironment, options: SandboxSessionOptions = {}): Promise<Experimental_SandboxSession> {
  const base = options.baseDirectory ?? (await startingDirectory(env));
  const at = (path: string) => resolveAgainst(base, path);

  const readBinaryFile = async ({ path }: { path: string }) => env.files.read(at(path));
  const writeBinaryFile = async ({ path, content }: { path: string; content: Uint8Array }) => env.files.write(at(path), content);

  const spawn = async ({ command, workingDirectory, env: variables, abortSignal, stdin }: SpawnOptions) => {
    const handle = await env.spawn(command, {
      cwd: at(workingDirectory ?? "."),
      ...(variables !== undefined && { env: variables }),
      ...(abortSignal !== undefined && { signal: abortSignal }),
    });
    return sandboxProcess(handle, stdin === true, abortSignal);
  };

  return {
    description: describe(env, base, options.note),
    readBinaryFile,
    readFile: async (request) => {
      const bytes = await readBinaryFile(request);
      return bytes === null ? null : new Blob([bytes]).stream();
    },
    readTextFile: async ({ path, encoding, startLine, endLine }) => {
      const bytes = await readBinaryFile({ path });
      if (bytes === null) return null;
      const text = decodeText(bytes, encoding);
      return startLine === undefined && endLine === undefined ? text : linesOf(text, startLine ?? 1, endLine);
    },
    writeBinaryFile,
    writeFile: async ({ path, content }) => writeBinaryFile({ path, content: new Uint8Array(await new Response(content).arrayBuffer()) }),
    writeTextFile: async ({ path, content, encoding }) => writeBinaryFile({ path, content: encodeText(content, encoding) }),
    stat: async ({ path }) => followedStat(env, at(path)),
    listDirectory: async ({ path }) => {
      try {
        const entries = await env.files.list(at(path));
        return entries.map((entry): Experimental_SandboxDirectoryEntry => ({ name: entry.name, type: entry.type }));
      } catch (error) {
        if (FileSystemError.isInstance(error) && error.reason === "NotFound") return null;
        throw error;
      }
    },
    deleteFile: async ({ path }) => {
      const target = at(path);
      const found = await env.files.stat(target);
      if (found === null) return false;
      if (found.type === "directory")
        throw new FileSystemError({
          reason: "IsADirectory",
          path: target,
          operation: "deleteFile",
          detail: "deleteFile removes files only",
        });
      await env.files.remove(target);
      return true;
    },
    spawn: spawn as Experimental_SandboxSession["spawn"],
    run: async ({ command, workingDirectory, env: variables, abortSignal }) => {
      const result = await env.exec(command, {
        session: false,
        cwd: at(workingDirectory ?? "."),
        ...(variables !== undefined && { env: variables }),
        ...(abortSignal !== undefined && { signal: abortSignal }),
      });
      return { exitCode: exitCodeOf(result), stdout: result.stdout, stderr: result.stderr };
    },
  };
}

/** `stat` follows symbolic links (Hermes's does not): a link is asked again for where it points. */
async function followedStat(env: ExecutionEnvironment, path: string): Promise<Experimental_SandboxFileStat | null> {
  let found = await env.files.stat(path);
  if (found?.type === "symlink") {
    const target = await env.exec(["realpath", "-e", "--", path], { session: false });
    found = target.exitCode === 0 ? await env.files.stat(target.stdout.replace(/\n$/, "")) : null;
  }
  if (found === null) return null;
  return { type: found.type === "file" || found.type === "directory" ? found.type : "other", size: found.size };
}

function describe(env: ExecutionEnvironment, base: string, note: string | undefined): string {
  const lines = [
    `Commands run with bash in a Hermes execution environment (backend "${env.backend}", type ${env.type}, isolation: ${env.capabilities.isolation}).`,
    `The working directory is ${base}: relative paths resolve against it, and a \`cd\` or \`export\` lasts only for the command it is in.`,
  ];
  if (note) lines.push(note);
  return lines.join("\n");
}
