export type FileType = "file" | "directory" | "symlink" | "other";

export interface FileStat {
  /** Absolute path inside the environment. */
  path: string;
  type: FileType;
  size: number;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  mtime: Date;
}

export interface FileEntry extends FileStat {
  name: string;
}

export interface WriteOptions {
  /** Permission bits for a new file; an existing file keeps its mode unless this is given. */
  mode?: number;
}

/**
 * Files inside the environment. Relative paths follow the session's working directory.
 * `read`, `readText` and `stat` give null for a missing path; other calls throw FileSystemError.
 */
export interface FileSystem {
  read(path: string): Promise<Uint8Array | null>;
  readText(path: string): Promise<string | null>;
  /** Creates missing parent directories. */
  write(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void>;
  list(path: string): Promise<FileEntry[]>;
  stat(path: string): Promise<FileStat | null>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  /** Copies a file or a whole folder from this machine into the environment. */
  upload(hostPath: string, envPath: string): Promise<void>;
  /** Copies a file or a whole folder from the environment to this machine. */
  download(envPath: string, hostPath: string): Promise<void>;
}
