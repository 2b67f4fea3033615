import { type FilePrimitives, FileSystemError } from "@hermes/core";
import { type VercelSession, vercelFailure } from "./vercel-sdk.js";

/**
 * Reads and writes through Vercel's file calls (a file's bytes back; a gzip'd tar in, which carries the
 * mode); the rest of the file primitives core derives from shell programs in the sandbox.
 */
export function vercelFiles(session: VercelSession, backend: string): Pick<FilePrimitives, "read" | "write"> {
  return {
    async read(path) {
      try {
        const data = await session.readFileToBuffer({ path });
        return data === null ? null : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      } catch (error) {
        // What the service answers for a directory is not documented: ask the sandbox what the path is.
        if (await isDirectory(session, path)) throw new FileSystemError({ reason: "IsADirectory", path, operation: "read", cause: error });
        throw vercelFailure(backend, `reading ${path}`, error);
      }
    },
    async write(path, data, { mode }) {
      try {
        const content = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        await session.writeFiles([{ path, content, ...(mode !== undefined && { mode }) }]);
      } catch (error) {
        throw vercelFailure(backend, `writing ${path}`, error);
      }
    },
  };
}

async function isDirectory(session: VercelSession, path: string): Promise<boolean> {
  const finished = await session.runCommand({ cmd: "test", args: ["-d", path] }).catch(() => undefined);
  return finished?.exitCode === 0;
}
