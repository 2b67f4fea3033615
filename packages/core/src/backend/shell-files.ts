import { posix } from "node:path";
import { FileSystemError, type FileSystemErrorReason } from "../errors/file-system-error.js";
import type { FilePrimitives, ProcessSpec, RawProcess } from "../types/backend.js";
import type { FileEntry, FileStat, FileType } from "../types/file-system.js";
import { type ProgramOutput, runProgram } from "./run-program.js";

/** `stat -c` format understood by GNU coreutils and busybox alike: type, size, octal mode, mtime, name. */
const statFormat = "%F|%s|%a|%Y|%n";

/**
 * File primitives through programs run in the target (`cat`, `stat`, `mkdir`, `rm`): core's default for
 * a backend without native ones, and a native layer's way around what its API cannot see (docker's
 * archive API and tmpfs mounts). Needs bash and `stat`, `cat`, `mkdir`, `rm`, `rmdir`, `chmod` (coreutils
 * or busybox). Binary-safe: data goes through the programs' stdin and stdout untouched.
 */
export class ShellFiles implements FilePrimitives {
  constructor(
    private readonly start: (spec: ProcessSpec) => Promise<RawProcess>,
    private readonly bashPath = "bash",
  ) {}

  private run(argv: readonly string[], stdin?: Uint8Array): Promise<ProgramOutput> {
    return runProgram(this.start, argv, stdin);
  }

  async stat(path: string): Promise<FileStat | null> {
    const result = await this.run(["stat", "-c", statFormat, "--", path]);
    if (result.code !== 0) return null;
    const { name: _, ...stat } = parseStatLine(result.stdout.toString("utf8").trim(), path);
    return stat;
  }

  async read(path: string): Promise<Uint8Array | null> {
    const stat = await this.stat(path);
    if (!stat) return null;
    const result = await this.run(["cat", "--", path]);
    if (result.code === 0) return result.stdout;
    if (/no such file/i.test(result.stderr)) return null;
    throw programError(result, path, "read");
  }

  async write(path: string, data: Uint8Array, options: { mode?: number }): Promise<void> {
    const mode = options.mode === undefined ? "" : ` && chmod ${options.mode.toString(8)} -- "$1"`;
    const script = `dir=\${1%/*}; mkdir -p -- "\${dir:-/}" && cat > "$1"${mode}`;
    const result = await this.run([this.bashPath, "-c", script, "hermes-write", path], data);
    if (result.code !== 0) throw programError(result, path, "write");
  }

  async list(path: string): Promise<FileEntry[]> {
    const script = `cd -- "$1" || exit 3; shopt -s nullglob dotglob; set -- *; [ $# -eq 0 ] || stat -c '${statFormat}' -- "$@"`;
    const result = await this.run([this.bashPath, "-c", script, "hermes-list", path]);
    if (result.code !== 0) throw programError(result, path, "list");
    return result.stdout
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const stat = parseStatLine(line, "");
        return { ...stat, name: stat.name, path: posix.join(path, stat.name) };
      });
  }

  async mkdir(path: string, options: { recursive: boolean }): Promise<void> {
    const result = await this.run(options.recursive ? ["mkdir", "-p", "--", path] : ["mkdir", "--", path]);
    if (result.code !== 0) throw programError(result, path, "mkdir");
  }

  async remove(path: string, options: { recursive: boolean }): Promise<void> {
    const stat = await this.stat(path);
    if (!stat) throw new FileSystemError({ reason: "NotFound", path, operation: "remove" });
    const argv =
      stat.type === "directory" ? (options.recursive ? ["rm", "-rf", "--", path] : ["rmdir", "--", path]) : ["rm", "-f", "--", path];
    const result = await this.run(argv);
    if (result.code !== 0) throw programError(result, path, "remove");
  }
}

/** `type|size|mode|mtime|name`; the name comes last because it may itself contain `|`. */
function parseStatLine(line: string, path: string): FileStat & { name: string } {
  const fields = line.split("|");
  const [kind = "", size = "0", mode = "0", mtime = "0"] = fields;
  return {
    path,
    name: fields.slice(4).join("|"),
    type: fileType(kind),
    size: kind.includes("regular") ? Number(size) : 0,
    mode: Number.parseInt(mode, 8),
    mtime: new Date(Number(mtime) * 1000),
  };
}

function fileType(kind: string): FileType {
  if (kind.includes("directory")) return "directory";
  if (kind.includes("symbolic link")) return "symlink";
  if (kind.includes("regular")) return "file";
  return "other";
}

/** A failed program's stderr as the reason a caller can branch on. */
function programError(result: ProgramOutput, path: string, operation: string): FileSystemError {
  const text = result.stderr;
  const reason: FileSystemErrorReason = /no such file/i.test(text)
    ? "NotFound"
    : /not a directory/i.test(text)
      ? "NotADirectory"
      : /is a directory/i.test(text)
        ? "IsADirectory"
        : /file exists/i.test(text)
          ? "AlreadyExists"
          : /not empty/i.test(text)
            ? "NotEmpty"
            : /permission denied|read-only|operation not permitted/i.test(text)
              ? "PermissionDenied"
              : /no space left|quota exceeded/i.test(text)
                ? "NoSpace"
                : "Other";
  return new FileSystemError({ reason, path, operation, detail: text.trim() || `exit ${result.code}` });
}
