import { posix } from "node:path";
import {
  type FileEntry,
  type FilePrimitives,
  type FileStat,
  FileSystemError,
  type FileSystemErrorReason,
  type FileType,
  type ShellFiles,
} from "@hermes/core";
import type { SFTPWrapper, Stats } from "ssh2";
import type { SshConnection } from "./ssh-connection.js";

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that map to a reason on their own. */
const statusReasons: Record<number, FileSystemErrorReason> = { 2: "NotFound", 3: "PermissionDenied" };

/**
 * The file primitives over SFTP on the environment's connection: binary-safe, `null` for a missing path.
 * SFTP's generic FAILURE status says nothing about why, so the reason is found by looking at the path.
 */
export class SshFiles implements FilePrimitives {
  constructor(
    private readonly connection: SshConnection,
    /** Core's file programs, for the recursive delete SFTP has no request for. */
    private readonly viaPrograms: ShellFiles,
  ) {
    // Every operation holds the connection while it waits on it (an idle connection lets Node exit).
    for (const name of ["read", "write", "stat", "list", "mkdir", "remove"] as const) {
      const operation = this[name].bind(this) as (...args: unknown[]) => Promise<unknown>;
      (this as Record<string, unknown>)[name] = (...args: unknown[]) => connection.during(() => operation(...args));
    }
  }

  async read(path: string): Promise<Uint8Array | null> {
    const sftp = await this.connection.sftp();
    try {
      return await call<Buffer>((done) => sftp.readFile(path, done));
    } catch (error) {
      if (statusOf(error) === 2) return null;
      throw await this.explain(sftp, error, path, "read");
    }
  }

  async write(path: string, data: Uint8Array, options: { mode?: number }): Promise<void> {
    const sftp = await this.connection.sftp();
    await this.makeDirectories(sftp, posix.dirname(path), "write");
    try {
      await call((done) => sftp.writeFile(path, Buffer.from(data), options.mode === undefined ? {} : { mode: options.mode }, done));
      if (options.mode !== undefined) await call((done) => sftp.chmod(path, options.mode as number, done));
    } catch (error) {
      throw await this.explain(sftp, error, path, "write");
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const sftp = await this.connection.sftp();
    try {
      return toStat(path, await call<Stats>((done) => sftp.lstat(path, done)));
    } catch (error) {
      if (statusOf(error) === 2) return null;
      throw await this.explain(sftp, error, path, "stat");
    }
  }

  async list(path: string): Promise<FileEntry[]> {
    const sftp = await this.connection.sftp();
    try {
      const entries = await call<Array<{ filename: string; attrs: Stats }>>((done) => sftp.readdir(path, done));
      return entries
        .filter((entry) => entry.filename !== "." && entry.filename !== "..")
        .map((entry) => ({ ...toStat(posix.join(path, entry.filename), entry.attrs), name: entry.filename }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      throw await this.explain(sftp, error, path, "list");
    }
  }

  async mkdir(path: string, options: { recursive: boolean }): Promise<void> {
    const sftp = await this.connection.sftp();
    if (options.recursive) return this.makeDirectories(sftp, path, "mkdir");
    try {
      await call((done) => sftp.mkdir(path, done));
    } catch (error) {
      throw await this.explain(sftp, error, path, "mkdir");
    }
  }

  async remove(path: string, options: { recursive: boolean }): Promise<void> {
    const sftp = await this.connection.sftp();
    const stat = await this.stat(path);
    if (!stat) throw new FileSystemError({ reason: "NotFound", path, operation: "remove" });
    if (stat.type === "directory" && options.recursive) return this.viaPrograms.remove(path, options);
    try {
      await call((done) => (stat.type === "directory" ? sftp.rmdir(path, done) : sftp.unlink(path, done)));
    } catch (error) {
      throw await this.explain(sftp, error, path, "remove");
    }
  }

  /** `mkdir -p`: creates what is missing, outermost first. */
  private async makeDirectories(sftp: SFTPWrapper, path: string, operation: string): Promise<void> {
    const stat = await this.stat(path);
    if (stat?.type === "directory") return;
    if (stat) throw new FileSystemError({ reason: stat.type === "symlink" ? "Other" : "NotADirectory", path, operation });
    if (path !== "/") await this.makeDirectories(sftp, posix.dirname(path), operation);
    try {
      await call((done) => sftp.mkdir(path, done));
    } catch (error) {
      // Made meanwhile by someone else: fine.
      if ((await this.stat(path))?.type !== "directory") throw await this.explain(sftp, error, path, operation);
    }
  }

  /** A typed error for a failed request: the status when it says enough, else what the path turns out to be. */
  private async explain(sftp: SFTPWrapper, error: unknown, path: string, operation: string): Promise<FileSystemError> {
    const status = statusOf(error);
    let reason: FileSystemErrorReason = (status !== undefined && statusReasons[status]) || "Other";
    // OpenSSH answers NO_SUCH_FILE for opendir on a file, so "not found" is checked too.
    if (reason === "Other" || reason === "NotFound") {
      const stat = await call<Stats>((done) => sftp.stat(path, done)).catch(() => undefined);
      const parent = await call<Stats>((done) => sftp.stat(posix.dirname(path), done)).catch(() => undefined);
      if (operation === "mkdir" && stat) reason = "AlreadyExists";
      else if (operation === "mkdir" && !parent) reason = "NotFound";
      else if ((operation === "read" || operation === "write") && stat?.isDirectory()) reason = "IsADirectory";
      else if (operation === "list" && stat && !stat.isDirectory()) reason = "NotADirectory";
      else if (operation === "remove" && stat?.isDirectory()) reason = "NotEmpty";
      else if (parent && !parent.isDirectory()) reason = "NotADirectory";
      else if (!stat && reason === "Other") reason = parent ? "Other" : "NotFound";
    }
    return new FileSystemError({ reason, path, operation, detail: (error as Error).message, cause: error });
  }
}

function toStat(path: string, stats: Stats): FileStat {
  const type: FileType = stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : stats.isFile() ? "file" : "other";
  return { path, type, size: type === "file" ? stats.size : 0, mode: stats.mode & 0o7777, mtime: new Date(stats.mtime * 1000) };
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

function call<T = void>(operation: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => operation((error, value) => (error ? reject(error) : resolve(value as T))));
}
