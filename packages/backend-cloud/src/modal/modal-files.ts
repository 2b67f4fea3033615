import { type FilePrimitives, FileSystemError, type FileSystemErrorReason } from "@hermes/core";
import type { ExplainFailure } from "./modal-process.js";
import type { ModalSandbox } from "./modal-sdk.js";

/** The SDK's filesystem errors (by class name: the SDK is loaded lazily) -> core's reasons. */
const reasons: Record<string, FileSystemErrorReason> = {
  SandboxFilesystemNotFoundError: "NotFound",
  SandboxFilesystemNotADirectoryError: "NotADirectory",
  SandboxFilesystemIsADirectoryError: "IsADirectory",
  SandboxFilesystemPathAlreadyExistsError: "AlreadyExists",
  SandboxFilesystemDirectoryNotEmptyError: "NotEmpty",
  SandboxFilesystemPermissionError: "PermissionDenied",
  SandboxFilesystemFileTooLargeError: "Other",
  SandboxFilesystemError: "Other",
};

/**
 * Reads, writes and folders through Modal's filesystem API (binary-safe); stat, list and remove core
 * derives from shell programs in the sandbox, which see file types and times the API does not report.
 */
export function modalFiles(sandbox: ModalSandbox, explain: ExplainFailure): Pick<FilePrimitives, "read" | "write" | "mkdir"> {
  const failure = async (operation: string, path: string, error: unknown) => {
    if (FileSystemError.isInstance(error)) return error;
    const reason = reasons[(error as Error | undefined)?.constructor?.name ?? ""];
    if (reason) return new FileSystemError({ reason, path, operation, detail: (error as Error).message, cause: error });
    return explain(`${operation} ${path}`, error);
  };
  return {
    async read(path) {
      try {
        return await sandbox.filesystem.readBytes(path);
      } catch (error) {
        const failed = await failure("read", path, error);
        // As for every backend: a path that does not exist (or runs through a file) reads as null.
        if (FileSystemError.isInstance(failed) && (failed.reason === "NotFound" || failed.reason === "NotADirectory")) return null;
        throw failed;
      }
    },
    async write(path, data, { mode }) {
      try {
        await sandbox.filesystem.writeBytes(data, path);
        if (mode !== undefined) await chmod(sandbox, path, mode);
      } catch (error) {
        throw await failure("write", path, error);
      }
    },
    async mkdir(path, { recursive }) {
      try {
        await sandbox.filesystem.makeDirectory(path, { createParents: recursive });
      } catch (error) {
        throw await failure("mkdir", path, error);
      }
    },
  };
}

/** The API writes no mode: a mode asked for is set by `chmod` in the sandbox. */
async function chmod(sandbox: ModalSandbox, path: string, mode: number): Promise<void> {
  const exec = await sandbox.exec(["chmod", mode.toString(8), "--", path], { mode: "text" });
  const [code, stderr] = await Promise.all([exec.wait(), exec.stderr.readText()]);
  if (code !== 0) throw new FileSystemError({ reason: "PermissionDenied", path, operation: "chmod", detail: stderr.trim() });
}
