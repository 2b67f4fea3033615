import type { Stats } from "node:fs";
import { mkdir, readdir, readFile, lstat as statHost, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { FileSystemError } from "../errors/file-system-error.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { FilePrimitives } from "../types/backend.js";
import type { FileEntry, FileStat, FileSystem, WriteOptions } from "../types/file-system.js";

export interface FileSystemContext {
  /** Waits for the environment to start and returns its file primitives. */
  primitives(operation: string): Promise<FilePrimitives>;
  /** The session's working directory and home, for relative and `~` paths. */
  location(): { cwd: string; home: string | undefined };
  warn(code: string, message: string): void;
}

/** The `files` API over a backend's primitives: path resolution, text helpers, folder upload/download. */
export function environmentFileSystem(context: FileSystemContext): FileSystem {
  const resolve = (path: string, argument = "path") => resolveEnvPath(path, context.location(), argument);
  const withPrimitives = async <T>(operation: string, path: string, run: (files: FilePrimitives, absolute: string) => Promise<T>) => {
    const absolute = resolve(path);
    return run(await context.primitives(`${operation} ${path}`), absolute);
  };
  const fileSystem: FileSystem = {
    read: (path) => withPrimitives("read", path, (files, absolute) => files.read(absolute)),
    readText: async (path) => {
      const bytes = await fileSystem.read(path);
      return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    },
    write: (path, data, options: WriteOptions = {}) =>
      withPrimitives("write", path, (files, absolute) => {
        if (typeof data !== "string" && !(data instanceof Uint8Array)) {
          throw new InvalidArgumentError({ argument: "data", value: data, expected: "a string or a Uint8Array" });
        }
        return files.write(absolute, typeof data === "string" ? Buffer.from(data, "utf8") : data, options);
      }),
    list: (path) => withPrimitives("list", path, (files, absolute) => files.list(absolute)),
    stat: (path) => withPrimitives("stat", path, (files, absolute) => files.stat(absolute)),
    remove: (path, options = {}) =>
      withPrimitives("remove", path, (files, absolute) => files.remove(absolute, { recursive: options.recursive ?? false })),
    mkdir: (path, options = {}) =>
      withPrimitives("mkdir", path, (files, absolute) => files.mkdir(absolute, { recursive: options.recursive ?? false })),
    upload: (hostPath, envPath) =>
      withPrimitives("upload to", envPath, (files, absolute) => uploadFolder(files, hostPath, absolute, context)),
    download: (envPath, hostPath) =>
      withPrimitives("download", envPath, (files, absolute) => downloadFolder(files, absolute, hostPath, context)),
  };
  return fileSystem;
}

/** Absolute, normalised path in the environment: relative paths follow the session's cwd, `~` its HOME. */
export function resolveEnvPath(path: string, location: { cwd: string; home: string | undefined }, argument = "path"): string {
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw new InvalidArgumentError({ argument, value: path, expected: "a non-empty path without NUL characters" });
  }
  if ((path === "~" || path.startsWith("~/")) && location.home) return posix.resolve(location.home, `.${path.slice(1)}`);
  return posix.resolve(location.cwd, path);
}

/** A file or folder from this machine into the environment: the backend's fast path, else file by file. */
export function uploadFolder(files: FilePrimitives, hostPath: string, envPath: string, context: Pick<FileSystemContext, "warn">) {
  return files.upload ? files.upload(hostPath, envPath) : copyIn(files, hostPath, envPath, context);
}

/** A file or folder from the environment onto this machine: the backend's fast path, else file by file. */
export function downloadFolder(files: FilePrimitives, envPath: string, hostPath: string, context: Pick<FileSystemContext, "warn">) {
  return files.download ? files.download(envPath, hostPath) : copyOut(files, envPath, hostPath, context);
}

/**
 * Upload without a backend fast path: walk the host tree and write file by file. Exported for backends
 * whose fast path does not cover every path (docker's archive API and tmpfs mounts).
 */
export async function copyIn(
  files: FilePrimitives,
  hostPath: string,
  envPath: string,
  context: Pick<FileSystemContext, "warn">,
): Promise<void> {
  const info = await uploadSource(hostPath);
  if (info.isDirectory()) {
    await files.mkdir(envPath, { recursive: true });
    for (const entry of await readdir(hostPath)) await copyIn(files, join(hostPath, entry), posix.join(envPath, entry), context);
  } else if (info.isFile()) {
    await files.write(envPath, await readFile(hostPath), { mode: info.mode & 0o7777 });
  } else {
    context.warn("UPLOAD_SKIPPED", `upload skipped ${hostPath}: only files and folders are copied (not symlinks or devices)`);
  }
}

/** Download without a backend fast path: walk the environment's tree and copy file by file. Exported as copyIn is. */
export async function copyOut(
  files: FilePrimitives,
  envPath: string,
  hostPath: string,
  context: Pick<FileSystemContext, "warn">,
): Promise<void> {
  const info: FileStat | null = await files.stat(envPath);
  if (!info) throw new FileSystemError({ reason: "NotFound", path: envPath, operation: "download" });
  if (info.type === "directory") {
    await mkdir(hostPath, { recursive: true });
    const entries: FileEntry[] = await files.list(envPath);
    for (const entry of entries) await copyOut(files, entry.path, join(hostPath, entry.name), context);
  } else if (info.type === "file") {
    const data = await files.read(envPath);
    if (data === null) throw new FileSystemError({ reason: "NotFound", path: envPath, operation: "download" });
    await mkdir(dirname(hostPath), { recursive: true });
    await writeFile(hostPath, data, { mode: info.mode & 0o7777 });
  } else {
    context.warn("DOWNLOAD_SKIPPED", `download skipped ${envPath}: only files and folders are copied (not symlinks or devices)`);
  }
}

/** What `upload` copies from this machine (not following a final link); a missing path is a NotFound FileSystemError. */
export function uploadSource(hostPath: string): Promise<Stats> {
  return statHost(hostPath).catch((error: NodeJS.ErrnoException) => {
    throw new FileSystemError({
      reason: "NotFound",
      path: hostPath,
      operation: "upload",
      detail: `on this machine: ${error.message}`,
      cause: error,
    });
  });
}
