import { posix } from "node:path";
import { type FileEntry, type FilePrimitives, type FileStat, FileSystemError } from "@hermes/core";

type Node = { type: "file"; data: Uint8Array; mode: number; mtime: Date } | { type: "directory"; mode: number; mtime: Date };

/** File primitives held in memory, with the same semantics and errors as a real backend's. */
export class MemoryFiles implements FilePrimitives {
  private readonly nodes = new Map<string, Node>([["/", { type: "directory", mode: 0o755, mtime: new Date() }]]);

  async read(path: string): Promise<Uint8Array | null> {
    const node = this.nodes.get(path);
    if (!node) return null;
    if (node.type === "directory") throw new FileSystemError({ reason: "IsADirectory", path, operation: "read" });
    return node.data.slice();
  }

  async write(path: string, data: Uint8Array, options: { mode?: number }): Promise<void> {
    this.put(path, data, options.mode);
  }

  /** Synchronous write, for seeding files before any call. */
  put(path: string, data: Uint8Array, mode?: number): void {
    const existing = this.nodes.get(path);
    if (existing?.type === "directory") throw new FileSystemError({ reason: "IsADirectory", path, operation: "write" });
    this.makeDirectory(posix.dirname(path), true);
    this.nodes.set(path, { type: "file", data: data.slice(), mode: mode ?? existing?.mode ?? 0o644, mtime: new Date() });
  }

  async stat(path: string): Promise<FileStat | null> {
    const node = this.nodes.get(path);
    return node ? toStat(path, node) : null;
  }

  async list(path: string): Promise<FileEntry[]> {
    const node = this.nodes.get(path);
    if (!node) throw new FileSystemError({ reason: "NotFound", path, operation: "list" });
    if (node.type !== "directory") throw new FileSystemError({ reason: "NotADirectory", path, operation: "list" });
    return this.children(path)
      .sort()
      .map((child) => ({ name: posix.basename(child), ...toStat(child, this.nodes.get(child) as Node) }));
  }

  async remove(path: string, options: { recursive: boolean }): Promise<void> {
    const node = this.nodes.get(path);
    if (!node) throw new FileSystemError({ reason: "NotFound", path, operation: "remove" });
    if (node.type === "directory" && this.children(path).length > 0 && !options.recursive) {
      throw new FileSystemError({ reason: "NotEmpty", path, operation: "remove" });
    }
    for (const key of [...this.nodes.keys()]) if (key === path || key.startsWith(`${path}/`)) this.nodes.delete(key);
  }

  async mkdir(path: string, options: { recursive: boolean }): Promise<void> {
    this.makeDirectory(path, options.recursive);
  }

  private makeDirectory(path: string, recursive: boolean): void {
    const options = { recursive };
    const node = this.nodes.get(path);
    if (node?.type === "directory") {
      if (options.recursive) return;
      throw new FileSystemError({ reason: "AlreadyExists", path, operation: "mkdir" });
    }
    if (node) throw new FileSystemError({ reason: "AlreadyExists", path, operation: "mkdir", detail: "a file is in the way" });
    const parent = posix.dirname(path);
    const parentNode = this.nodes.get(parent);
    if (!parentNode) {
      if (!options.recursive) throw new FileSystemError({ reason: "NotFound", path, operation: "mkdir" });
      this.makeDirectory(parent, true);
    } else if (parentNode.type !== "directory") {
      throw new FileSystemError({ reason: "NotADirectory", path, operation: "mkdir" });
    }
    this.nodes.set(path, { type: "directory", mode: 0o755, mtime: new Date() });
  }

  private children(path: string): string[] {
    const prefix = path === "/" ? "/" : `${path}/`;
    return [...this.nodes.keys()].filter((key) => key !== "/" && key.startsWith(prefix) && !key.slice(prefix.length).includes("/"));
  }
}

function toStat(path: string, node: Node): FileStat {
  return { path, type: node.type, size: node.type === "file" ? node.data.length : 0, mode: node.mode, mtime: node.mtime };
}
