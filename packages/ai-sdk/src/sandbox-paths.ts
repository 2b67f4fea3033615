import { posix } from "node:path";
import type { ExecutionEnvironment } from "@hermes/core";

/**
 * The AI SDK's rule for paths: relative ones (and `workingDirectory`) resolve against one base directory
 * that never changes for the session, whatever a command's `cd` does. Absolute paths are used as they are.
 */
export function resolveAgainst(base: string, path: string): string {
  return posix.resolve(base, path);
}

/** Where the environment's commands start now: the base directory, unless one is given. */
export async function startingDirectory(env: ExecutionEnvironment): Promise<string> {
  return (await env.exec("true", { session: false })).cwd;
}
