import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The sandbox's own directories; everything else is this machine's, read-only. */
const privateDirs = ["/home", "/tmp"] as const;
const tagVariable = "HERMES_FAKE_SANDBOX";

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
  ) {}

  static async create(id: string, home: string): Promise<LocalSandbox> {
    const root = await mkdtemp(join(tmpdir(), "hermes-fake-sandbox-"));
    for (const dir of privateDirs) await mkdir(join(root, dir), { recursive: true });
    await mkdir(join(root, home), { recursive: true });
    return new LocalSandbox(id, root, home);
  }

  /** Where a path inside the sandbox is on this machine, or null when it is outside its private dirs (read-only). */
  hostPath(path: string): string | null {
    const normal = path.startsWith("/") ? path : join(this.home, path);
    return privateDirs.some((dir) => normal === dir || normal.startsWith(`${dir}/`)) ? join(this.root, normal) : null;
  }

  /** Starts `sh -c command` in the sandbox with `env` (on top of PATH and HOME), in `cwd` (default home). */
  run(command: string, env: Record<string, string>, cwd = this.home): ChildProcess {
    const binds = privateDirs.flatMap((dir) => ["--bind", join(this.root, dir), dir]);
    const argv = ["--ro-bind", "/", "/", ...binds, "--dev", "/dev", "--proc", "/proc", "--chdir", cwd, "--", "sh", "-c", command];
    return spawn("bwrap", argv, {
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: this.home, ...env, [tagVariable]: this.id },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
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
