import type { Stats } from "node:fs";

/**
 * What the Modal fake runs inside a sandbox for `/__modal/.bin/modal-sandbox-fs-tools '<json>'`: the
 * operations the SDK's filesystem API asks for, with their output on stdout and a failure as the tool's
 * JSON on stderr (`error_kind`, `message`), so the SDK raises its own typed errors. It runs in the
 * sandbox (its view of the filesystem, its permissions) as `node -e <this function's source> <json>`, so
 * it imports nothing and takes its modules from `process.getBuiltinModule`.
 */
type Request =
  | { ReadFile: { path: string } }
  | { WriteFile: { path: string } }
  | { ListFiles: { path: string } }
  | { MakeDirectory: { path: string; parents: boolean } }
  | { Remove: { path: string; recursive: boolean } }
  | { Stat: { path: string } };

function fsTools(): void {
  const { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } = process.getBuiltinModule("node:fs");
  const { basename, dirname, join } = process.getBuiltinModule("node:path");

  const kinds: Record<string, string> = {
    ENOENT: "NotFound",
    EISDIR: "IsDirectory",
    ENOTDIR: "NotDirectory",
    EACCES: "PermissionDenied",
    EPERM: "PermissionDenied",
    EROFS: "PermissionDenied",
    EEXIST: "PathAlreadyExists",
    ENOTEMPTY: "DirectoryNotEmpty",
  };

  function entry(path: string, stats: Stats) {
    const type = stats.isSymbolicLink() ? "symlink" : stats.isDirectory() ? "directory" : "file";
    return {
      name: basename(path),
      path,
      type,
      size: stats.size,
      mode: stats.mode,
      permissions: (stats.mode & 0o777).toString(8),
      owner: String(stats.uid),
      group: String(stats.gid),
      modified_time: Math.floor(stats.mtimeMs / 1000),
      symlink_target: type === "symlink" ? readlinkSync(path) : null,
    };
  }

  function run(request: Request): void {
    if ("ReadFile" in request) {
      process.stdout.write(readFileSync(request.ReadFile.path));
    } else if ("WriteFile" in request) {
      // As Modal's tool: missing parent directories are made.
      mkdirSync(dirname(request.WriteFile.path), { recursive: true });
      writeFileSync(request.WriteFile.path, readFileSync(0));
    } else if ("ListFiles" in request) {
      const { path } = request.ListFiles;
      const names = readdirSync(path).sort();
      process.stdout.write(JSON.stringify(names.map((name) => entry(join(path, name), lstatSync(join(path, name))))));
    } else if ("MakeDirectory" in request) {
      mkdirSync(request.MakeDirectory.path, { recursive: request.MakeDirectory.parents });
    } else if ("Remove" in request) {
      const { path, recursive } = request.Remove;
      if (!recursive && lstatSync(path).isDirectory() && readdirSync(path).length > 0) {
        throw Object.assign(new Error("directory not empty"), { code: "ENOTEMPTY" });
      }
      rmSync(path, { recursive: true });
    } else if ("Stat" in request) {
      process.stdout.write(JSON.stringify(entry(request.Stat.path, lstatSync(request.Stat.path))));
    } else {
      throw Object.assign(new Error(`the fake's fs-tools do not do ${Object.keys(request).join(", ")}`), { code: "ENOTSUP" });
    }
  }

  try {
    run(JSON.parse(process.argv[1] ?? "{}") as Request);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    process.stderr.write(JSON.stringify({ error_kind: kinds[code] ?? "Other", message: (error as Error).message, detail: code }));
    process.exitCode = 1;
  }
}

/** The argv that runs the tool in a sandbox for the SDK's request `json`. */
export const fsToolsArgv = (json: string): string[] => ["node", "-e", `(${fsTools.toString()})()`, json];
