import type { Stats } from "node:fs";
import { chmod, lstat, mkdir, readdir, readFile, readlink, realpath, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve as resolvePath, sep } from "node:path";
import {
  type FileEntry,
  type FilePrimitives,
  type FileStat,
  FileSystemError,
  type FileSystemErrorReason,
  PathOutsideSandboxError,
} from "@hermes/core";
import { canWalkBeneath, mkdirBeneath, removeBeneath, writeBeneath } from "./beneath-root.js";

const reasons: Record<string, FileSystemErrorReason> = {
  ENOENT: "NotFound",
  ENOTDIR: "NotADirectory",
  EISDIR: "IsADirectory",
  EEXIST: "AlreadyExists",
  ENOTEMPTY: "NotEmpty",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  ENOSPC: "NoSpace",
  EDQUOT: "NoSpace",
};

/**
 * The file primitives on this machine. With a sandbox root, every path is checked after symlinks are
 * resolved (parents always; the last component too when the operation would follow it), by path
 * component, not string prefix; then writes, mkdirs and removes walk to the checked path one component at a
 * time without following links (`beneath-root.ts`), so a directory swapped for a link after the check makes
 * the call fail instead of landing outside. This confines the SDK's own calls; commands need `confinement`.
 */
export class LocalFiles implements FilePrimitives {
  constructor(private readonly sandboxRoot: string | undefined) {}

  async read(path: string): Promise<Uint8Array | null> {
    const target = await this.confine(path, "read", true);
    try {
      return await readFile(target);
    } catch (error) {
      if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return null;
      throw fileError(error, path, "read");
    }
  }

  async write(path: string, data: Uint8Array, options: { mode?: number }): Promise<void> {
    const target = await this.confine(path, "write", true);
    try {
      if (this.sandboxRoot !== undefined && canWalkBeneath) return await writeBeneath(this.sandboxRoot, target, data, options.mode);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data, options.mode === undefined ? {} : { mode: options.mode });
      if (options.mode !== undefined) await chmod(target, options.mode);
    } catch (error) {
      throw fileError(error, path, "write");
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const target = await this.confine(path, "stat", false);
    try {
      return toStat(path, await lstat(target));
    } catch (error) {
      if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return null;
      throw fileError(error, path, "stat");
    }
  }

  async list(path: string): Promise<FileEntry[]> {
    const target = await this.confine(path, "list", true);
    try {
      const names = (await readdir(target)).sort();
      const entries = await Promise.all(
        names.map(async (name) => {
          const stats = await lstat(join(target, name)).catch(() => undefined);
          return stats && { name, ...toStat(join(path, name), stats) };
        }),
      );
      return entries.filter((entry): entry is FileEntry => entry !== undefined);
    } catch (error) {
      throw fileError(error, path, "list");
    }
  }

  async remove(path: string, options: { recursive: boolean }): Promise<void> {
    const target = await this.confine(path, "remove", false);
    if (this.sandboxRoot !== undefined && target === this.sandboxRoot) {
      throw new FileSystemError({
        reason: "PermissionDenied",
        path,
        operation: "remove",
        detail: "the sandbox root itself cannot be removed",
      });
    }
    try {
      const stats = await lstat(target);
      if (stats.isDirectory() && !options.recursive) await rmdir(target);
      else if (this.sandboxRoot !== undefined && canWalkBeneath) await removeBeneath(this.sandboxRoot, target, options.recursive);
      else await rm(target, { recursive: options.recursive });
    } catch (error) {
      throw fileError(error, path, "remove");
    }
  }

  async mkdir(path: string, options: { recursive: boolean }): Promise<void> {
    const target = await this.confine(path, "create", true);
    try {
      if (this.sandboxRoot !== undefined && canWalkBeneath) return await mkdirBeneath(this.sandboxRoot, target, options.recursive);
      await mkdir(target, { recursive: options.recursive });
    } catch (error) {
      throw fileError(error, path, "mkdir");
    }
  }

  /**
   * The path to operate on, after checking it stays inside the sandbox root. The deepest existing
   * ancestor is resolved through symlinks; with `followLeaf`, so is an existing last component.
   */
  private async confine(path: string, operation: string, followLeaf: boolean): Promise<string> {
    const root = this.sandboxRoot;
    if (root === undefined) return path;
    const name = path === "/" ? "" : (path.split("/").pop() ?? "");
    let resolved = join(await resolveExisting(dirname(path)), name);
    if (followLeaf) resolved = await followLinks(resolved);
    if (!isInside(resolved, root)) throw new PathOutsideSandboxError({ path, resolvedPath: resolved, sandboxRoot: root, operation });
    return resolved;
  }
}

/**
 * Where an operation that follows symlinks ends up: through a chain of links, including a dangling one,
 * which a write would follow to create its target wherever it points.
 */
async function followLinks(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const stats = await lstat(current).catch(() => undefined);
    if (!stats?.isSymbolicLink()) return current;
    const target = resolvePath(dirname(current), await readlink(current));
    current = join(await resolveExisting(dirname(target)), basename(target));
  }
  return current;
}

/** realpath of the deepest existing ancestor, with the missing rest appended. */
async function resolveExisting(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(current.slice(parent === "/" ? 1 : parent.length + 1));
      current = parent;
    }
  }
}

export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

function toStat(path: string, stats: Stats): FileStat {
  return {
    path,
    type: stats.isSymbolicLink() ? "symlink" : stats.isDirectory() ? "directory" : stats.isFile() ? "file" : "other",
    size: stats.size,
    mode: stats.mode & 0o7777,
    mtime: stats.mtime,
  };
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function fileError(error: unknown, path: string, operation: string): FileSystemError {
  const reason = reasons[code(error) ?? ""] ?? "Other";
  return new FileSystemError({ reason, path, operation, detail: (error as Error).message, cause: error });
}
