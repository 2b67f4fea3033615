import { posix } from "node:path";
import type { Readable } from "node:stream";
import {
  copyIn,
  copyOut,
  type FileEntry,
  type FilePrimitives,
  type FileStat,
  FileSystemError,
  type FileSystemErrorReason,
  type ShellFiles,
  uploadSource,
} from "@hermes/core";
import type Docker from "dockerode";
import tar from "tar-stream";
import { addEntry, extractFolder, packFolder } from "./archive-folders.js";
import { type ContainerPathStat, fileTypeOf, parsePathStatHeader, unixPermissions } from "./container-path-stat.js";
import { describeEngineError, hasStatus } from "./engine-errors.js";

/**
 * The file primitives through the engine's archive API: reads and listings are tar streams out of the
 * container, writes and mkdirs a tar stream in, stat a HEAD request. The archive API cannot see into
 * tmpfs mounts (it works on the directory under the mount), so paths there, directly or through a
 * symlink, go through programs in the container instead (core's ShellFiles), as do deletes, which have no
 * archive form.
 */
export class DockerFiles implements FilePrimitives {
  constructor(
    private readonly container: Docker.Container,
    private readonly viaPrograms: ShellFiles,
    private readonly tmpfsPaths: readonly string[],
    private readonly warn: (code: string, message: string) => void,
  ) {}

  /** A whole folder in one archive request (core's file-by-file copy for tmpfs targets). */
  async upload(hostPath: string, envPath: string): Promise<void> {
    const info = await uploadSource(hostPath);
    if (this.inTmpfs(envPath) || !info.isDirectory()) return copyIn(this.withoutFastPaths(), hostPath, envPath, { warn: this.warn });
    const { base, missing } = await this.missingParents(posix.dirname(envPath), "upload");
    const pack = tar.pack();
    const sent = this.putArchive(base, pack, envPath, "upload");
    try {
      for (const directory of missing) await addEntry(pack, { name: posix.relative(base, directory), type: "directory", mode: 0o755 });
      await packFolder(pack, hostPath, posix.relative(base, envPath), this.warn);
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
      await sent.catch(() => {});
      throw error;
    }
    await sent;
  }

  /** A whole folder in one archive request (core's file-by-file copy for files and tmpfs sources). */
  async download(envPath: string, hostPath: string): Promise<void> {
    const target = await this.resolveLinks(envPath, "download");
    if (!target) throw new FileSystemError({ reason: "NotFound", path: envPath, operation: "download" });
    if (!target.stat || fileTypeOf(target.stat) !== "directory")
      return copyOut(this.withoutFastPaths(), envPath, hostPath, { warn: this.warn });
    const archive = await this.archive(target.path, "download");
    if (!archive) throw new FileSystemError({ reason: "NotFound", path: envPath, operation: "download" });
    await extractFolder(archive, hostPath, envPath, this.warn);
  }

  /** These primitives without upload/download, for core's file-by-file copy. */
  private withoutFastPaths(): FilePrimitives {
    return {
      read: (path) => this.read(path),
      write: (path, data, options) => this.write(path, data, options),
      stat: (path) => this.stat(path),
      list: (path) => this.list(path),
      remove: (path, options) => this.remove(path, options),
      mkdir: (path, options) => this.mkdir(path, options),
    };
  }

  async stat(path: string): Promise<FileStat | null> {
    if (this.inTmpfs(path)) return this.viaPrograms.stat(path);
    const stat = await this.pathStat(path, "stat");
    return stat && toFileStat(path, stat);
  }

  async read(path: string): Promise<Uint8Array | null> {
    const target = await this.resolveLinks(path, "read");
    if (!target) return null;
    if (!target.stat) return this.viaPrograms.read(target.path);
    if (fileTypeOf(target.stat) === "directory") throw new FileSystemError({ reason: "IsADirectory", path, operation: "read" });
    const archive = await this.archive(target.path, "read");
    if (!archive) return null;
    for await (const entry of archive) {
      const data = await collect(entry);
      archive.destroy();
      return data;
    }
    return new Uint8Array();
  }

  async write(path: string, data: Uint8Array, options: { mode?: number }): Promise<void> {
    const target = await this.resolveLinks(path, "write");
    const destination = target?.path ?? path;
    if (target ? !target.stat : this.inTmpfs(destination)) return this.viaPrograms.write(destination, data, options);
    if (target?.stat && fileTypeOf(target.stat) === "directory")
      throw new FileSystemError({ reason: "IsADirectory", path, operation: "write" });
    const mode = options.mode ?? (target?.stat ? unixPermissions(target.stat) : 0o644);
    const { base, missing } = await this.missingParents(posix.dirname(destination), "write");
    const pack = tar.pack();
    for (const directory of missing) pack.entry({ name: posix.relative(base, directory), type: "directory", mode: 0o755 });
    pack.entry({ name: posix.relative(base, destination), type: "file", mode, size: data.byteLength }, Buffer.from(data));
    pack.finalize();
    await this.putArchive(base, pack, path, "write");
  }

  async mkdir(path: string, options: { recursive: boolean }): Promise<void> {
    if (this.inTmpfs(path)) return this.viaPrograms.mkdir(path, options);
    const existing = await this.pathStat(path, "mkdir");
    if (existing) {
      if (options.recursive && fileTypeOf(existing) === "directory") return;
      throw new FileSystemError({ reason: "AlreadyExists", path, operation: "mkdir" });
    }
    const { base, missing } = await this.missingParents(path, "mkdir");
    if (!options.recursive && missing.length > 1) throw new FileSystemError({ reason: "NotFound", path, operation: "mkdir" });
    const pack = tar.pack();
    for (const directory of missing) pack.entry({ name: posix.relative(base, directory), type: "directory", mode: 0o755 });
    pack.finalize();
    await this.putArchive(base, pack, path, "mkdir");
  }

  async list(path: string): Promise<FileEntry[]> {
    const target = await this.resolveLinks(path, "list");
    if (!target) throw new FileSystemError({ reason: "NotFound", path, operation: "list" });
    if (!target.stat) return (await this.viaPrograms.list(target.path)).map((entry) => ({ ...entry, path: posix.join(path, entry.name) }));
    if (fileTypeOf(target.stat) !== "directory") throw new FileSystemError({ reason: "NotADirectory", path, operation: "list" });
    const archive = await this.archive(target.path, "list");
    if (!archive) throw new FileSystemError({ reason: "NotFound", path, operation: "list" });
    // The archive holds the whole tree, `<dir>/child/...`; the direct children are the entries one level down.
    const entries: FileEntry[] = [];
    for await (const entry of archive) {
      const parts = entry.header.name.replace(/\/$/, "").split("/");
      if (parts.length === 2 && parts[1]) {
        const name = parts[1];
        entries.push({
          name,
          path: posix.join(path, name),
          type: headerType(entry.header.type),
          size: entry.header.type === "file" ? (entry.header.size ?? 0) : 0,
          mode: (entry.header.mode ?? 0) & 0o7777,
          mtime: entry.header.mtime ?? new Date(0),
        });
      }
      entry.resume();
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** There is no archive form of a delete: it always runs `rm`/`rmdir` in the container. */
  remove(path: string, options: { recursive: boolean }): Promise<void> {
    return this.viaPrograms.remove(path, options);
  }

  private inTmpfs(path: string): boolean {
    return this.tmpfsPaths.some((mount) => path === mount || path.startsWith(`${mount}/`));
  }

  /** The path's own stat (a final symlink is not followed); null when it does not exist. */
  private async pathStat(path: string, operation: string): Promise<ContainerPathStat | null> {
    try {
      const response = (await this.container.infoArchive({ path })) as unknown as Readable & { headers: Record<string, string> };
      response.resume();
      return parsePathStatHeader(response.headers["x-docker-container-path-stat"]);
    } catch (error) {
      // 404: missing; 400: a parent is not a directory. Both mean "no such path" to stat.
      if (hasStatus(error, 404) || hasStatus(error, 400)) return null;
      throw engineFileError(error, path, operation);
    }
  }

  /**
   * Follows symlinks (the engine reports each link's target) to the path an operation acts on. `stat` is
   * undefined when that path is in a tmpfs mount, where only programs in the container see it.
   */
  private async resolveLinks(path: string, operation: string): Promise<{ path: string; stat?: ContainerPathStat } | null> {
    let current = path;
    for (let hops = 0; hops < 40; hops++) {
      if (this.inTmpfs(current)) return { path: current };
      const stat = await this.pathStat(current, operation);
      if (!stat) return null;
      if (fileTypeOf(stat) !== "symlink" || !stat.linkTarget) return { path: current, stat };
      current = posix.resolve(posix.dirname(current), stat.linkTarget);
    }
    throw new FileSystemError({ reason: "Other", path, operation, detail: "too many levels of symbolic links" });
  }

  /** The deepest existing ancestor of `directory` and the directories below it still to create, outermost first. */
  private async missingParents(directory: string, operation: string): Promise<{ base: string; missing: string[] }> {
    const missing: string[] = [];
    let current = directory;
    for (;;) {
      const stat = await this.pathStat(current, operation);
      if (stat) {
        if (fileTypeOf(stat) === "directory") return { base: current, missing: missing.reverse() };
        if (fileTypeOf(stat) === "symlink" && stat.linkTarget) {
          const resolved = await this.resolveLinks(current, operation);
          if (resolved?.stat && fileTypeOf(resolved.stat) === "directory") return { base: resolved.path, missing: missing.reverse() };
        }
        throw new FileSystemError({ reason: "NotADirectory", path: current, operation });
      }
      missing.push(current);
      current = posix.dirname(current);
    }
  }

  private async archive(path: string, operation: string): Promise<tar.Extract | null> {
    let stream: Readable;
    try {
      stream = (await this.container.getArchive({ path })) as unknown as Readable;
    } catch (error) {
      if (hasStatus(error, 404)) return null;
      throw engineFileError(error, path, operation);
    }
    const extract = tar.extract();
    stream.on("error", (error) => extract.destroy(error));
    stream.pipe(extract);
    return extract;
  }

  private async putArchive(base: string, pack: tar.Pack, path: string, operation: string): Promise<void> {
    try {
      await this.container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: base, noOverwriteDirNonDir: "true" });
    } catch (error) {
      throw engineFileError(error, path, operation);
    }
  }
}

function toFileStat(path: string, stat: ContainerPathStat): FileStat {
  const type = fileTypeOf(stat);
  return { path, type, size: type === "file" ? stat.size : 0, mode: unixPermissions(stat), mtime: new Date(stat.mtime) };
}

function headerType(type: tar.Header["type"]): FileEntry["type"] {
  if (type === "file" || type === "contiguous-file") return "file";
  if (type === "directory") return "directory";
  if (type === "symlink") return "symlink";
  return "other";
}

function engineFileError(error: unknown, path: string, operation: string): FileSystemError {
  const detail = describeEngineError(error);
  const reason: FileSystemErrorReason = hasStatus(error, 404)
    ? "NotFound"
    : hasStatus(error, 403) || /read-only|permission denied/i.test(detail)
      ? "PermissionDenied"
      : /not a directory/i.test(detail)
        ? "NotADirectory"
        : /no space left|quota exceeded/i.test(detail)
          ? "NoSpace"
          : "Other";
  return new FileSystemError({ reason, path, operation, detail, cause: error });
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
