import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, constants, existsSync, openSync, readdirSync, readlinkSync, unlinkSync } from "node:fs";
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";

/** Every sandbox's own directories; everything else is this machine's, read-only. */
const privateDirs = ["/home", "/tmp"] as const;
const tagVariable = "HERMES_FAKE_SANDBOX";

export interface LocalSandboxOptions {
  /** Where commands start, when not home: a directory of its own, private like /home and /tmp (Vercel's /vercel/sandbox). */
  workDir?: string;
  /** A copy of another sandbox's directories (see `copyTo`) to start from instead of empty ones. */
  from?: string;
}

/**
 * What a fake vendor server runs commands in: bubblewrap over this machine's root, read-only, with a
 * private /home and /tmp (a directory here). All of a sandbox's processes share one pid
 * namespace (a kill by tag must see the others, as in a real sandbox) and carry its tag, so deleting the
 * sandbox ends every one of them, `setsid` or not.
 */
export class LocalSandbox {
  private constructor(
    readonly id: string,
    readonly root: string,
    readonly home: string,
    readonly workDir: string,
    private readonly ownDirs: readonly string[],
  ) {}

  static async create(id: string, home: string, options: LocalSandboxOptions = {}): Promise<LocalSandbox> {
    const workDir = options.workDir ?? home;
    const ownDirs = within(workDir, privateDirs) ? [...privateDirs] : [...privateDirs, workDir];
    const root = await mkdtemp(join(tmpdir(), "hermes-fake-sandbox-"));
    if (options.from) await copyDirs(options.from, root);
    for (const dir of [...ownDirs, home]) await mkdir(join(root, dir), { recursive: true });
    return new LocalSandbox(id, root, home, workDir, ownDirs);
  }

  /** Where a path inside the sandbox is on this machine, or null when it is outside its private dirs (read-only). */
  hostPath(path: string): string | null {
    const normal = posix.resolve(this.workDir, path);
    return within(normal, this.ownDirs) ? join(this.root, normal) : null;
  }

  /**
   * Starts `sh -c command` (`args` as `$0 $1 …`) in the sandbox with `env` (on top of PATH and HOME), in `cwd`
   * (default workDir). Its stdin is Node's pipe (`/dev/null` without `input`); its stdout and stderr are real
   * pipes (see `outputPipe`).
   */
  run(command: string, env: Record<string, string>, cwd = this.workDir, args: readonly string[] = [], input = true): SandboxProcess {
    const binds = this.ownDirs.flatMap((dir) => ["--bind", join(this.root, dir), dir]);
    const mounts = [...rootMounts(this.ownDirs), ...binds, "--dev", "/dev", "--proc", "/proc"];
    const argv = [...mounts, ...readOnlyAgain(this.ownDirs), "--chdir", cwd, "--", "sh", "-c", command, ...args];
    const stdout = outputPipe(this.root);
    const stderr = outputPipe(this.root);
    try {
      const child = spawn("bwrap", argv, {
        env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: this.home, ...env, [tagVariable]: this.id },
        stdio: [input ? "pipe" : "ignore", stdout.childEnd, stderr.childEnd],
        detached: true,
      });
      return { child, stdout: stdout.stream, stderr: stderr.stream };
    } finally {
      closeSync(stdout.childEnd);
      closeSync(stderr.childEnd);
    }
  }

  /** Copies the sandbox's own directories to `target` (a snapshot), to start another sandbox `from`. */
  async copyTo(target: string): Promise<void> {
    await copyDirs(this.root, target);
  }

  /** Ends every process of this sandbox. */
  async killAll(): Promise<void> {
    const needle = `${tagVariable}=${this.id}\0`;
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const environ = await readFile(`/proc/${entry}/environ`, "latin1").catch(() => "");
      if (`${environ}`.includes(needle)) {
        try {
          process.kill(Number(entry), "SIGKILL");
        } catch {}
      }
    }
  }

  async dispose(): Promise<void> {
    await this.killAll();
    await rm(this.root, { recursive: true, force: true });
  }
}

export interface SandboxProcess {
  child: ChildProcess;
  stdout: Socket;
  stderr: Socket;
}

/**
 * A real pipe for a command's output. Node's own stdio pipes are socket pairs, and a program cannot open a
 * socket as `/dev/stdout` or `/dev/stderr` (ENXIO), as it can in a vendor's sandbox. Node makes no anonymous
 * pipe, so this is a named one (in the sandbox's directory here, which the sandbox does not see), opened at
 * both ends and unlinked at once.
 */
function outputPipe(dir: string): { childEnd: number; stream: Socket } {
  const path = join(dir, `.pipe-${randomUUID()}`);
  execFileSync("mkfifo", ["-m", "600", path]);
  try {
    // Opening the read end without blocking lets the write end open at once.
    const readEnd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    return { childEnd: openSync(path, constants.O_WRONLY), stream: new Socket({ fd: readEnd, readable: true, writable: false }) };
  } finally {
    // unlink, not rm: rm lstat()s the pipe, and Node's realpath (which the ESM resolver uses) then reads
    // that FIFO's mode from the last stat of the process and stops early, giving an unresolved symlinked
    // path (a package then loaded twice, its dependencies not found).
    unlinkSync(path);
  }
}

const within = (path: string, dirs: readonly string[]) => dirs.some((dir) => path === dir || path.startsWith(`${dir}/`));

/** Whether bwrap can mount every own dir over this machine's root as it is: it cannot make a mount point in a read-only root. */
const mountPointsExist = (ownDirs: readonly string[]) => ownDirs.every((dir) => existsSync(dir));

/**
 * This machine's root: as it is when every own dir has a mount point in it; otherwise (no /vercel here) entry by
 * entry over bwrap's empty root, so the missing mount points can be made there.
 */
function rootMounts(ownDirs: readonly string[]): string[] {
  if (mountPointsExist(ownDirs)) return ["--ro-bind", "/", "/"];
  const replaced = new Set(["proc", "dev", ...ownDirs.map((dir) => dir.split("/")[1])]);
  return readdirSync("/", { withFileTypes: true })
    .filter((entry) => !replaced.has(entry.name))
    .flatMap((entry) => {
      const path = `/${entry.name}`;
      return entry.isSymbolicLink() ? ["--symlink", readlinkSync(path), path] : ["--ro-bind", path, path];
    });
}

/** That empty root is writable: make it read-only again once everything is mounted on it. */
const readOnlyAgain = (ownDirs: readonly string[]) => (mountPointsExist(ownDirs) ? [] : ["--remount-ro", "/"]);

/** Copies a sandbox's directories, modes and symlinks as they are; pipes and sockets belong to processes, which a copy does not keep. */
async function copyDirs(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    verbatimSymlinks: true,
    filter: async (source) => {
      const stats = await lstat(source);
      return stats.isFile() || stats.isDirectory() || stats.isSymbolicLink();
    },
  });
}
