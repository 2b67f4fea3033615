import { type FilePrimitives, FileSystemError } from "@hermes/core";
import { type DaytonaSandbox, daytonaFailure, withRetries } from "./daytona-sdk.js";

/**
 * Reads and writes through Daytona's file API (multipart, binary-safe); the rest of the file primitives
 * core derives from shell programs in the sandbox.
 */
export function daytonaFiles(sandbox: DaytonaSandbox, backend: string): Pick<FilePrimitives, "read" | "write"> {
  return {
    async read(path) {
      try {
        return new Uint8Array(await withRetries(() => sandbox.fs.downloadFile(path)));
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404) return null;
        // The daemon refuses a directory with a 400 that says so.
        if (status === 400 && /directory/i.test(String((error as Error).message))) {
          throw new FileSystemError({ reason: "IsADirectory", path, operation: "read", cause: error });
        }
        throw daytonaFailure(backend, `reading ${path}`, error);
      }
    },
    async write(path, data, { mode }) {
      try {
        await withRetries(() => sandbox.fs.uploadFile(Buffer.from(data.buffer, data.byteOffset, data.byteLength), path));
        if (mode !== undefined) await sandbox.fs.setFilePermissions(path, { mode: mode.toString(8) });
      } catch (error) {
        throw daytonaFailure(backend, `writing ${path}`, error);
      }
    },
  };
}
