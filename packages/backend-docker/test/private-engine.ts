import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, readlink, rm } from "node:fs/promises";
import { join } from "node:path";
import Docker from "dockerode";
import { testImage } from "./docker-test-support.js";

export interface PrivateEngineOptions {
  /** `--live-restore`: containers keep running while the daemon is down and are taken back when it returns. */
  liveRestore?: boolean;
}

/**
 * A second Docker engine of this test's own, so it can be stopped and started again without touching the
 * engine other suites use. It runs in its own network and mount namespaces: a dockerd started with
 * `--bridge none` in the host's network namespace deletes the host's docker0 bridge. A holder process keeps
 * those namespaces between restarts, so a restarted daemon finds the mounts of the containers that outlived
 * it (live-restore). Its containers get `--network none`; the test image is copied over from the main engine.
 */
export class PrivateEngine {
  private daemon: ChildProcess | undefined;
  readonly engine: Docker;

  private constructor(
    private readonly dir: string,
    private readonly namespaces: ChildProcess,
    private readonly options: PrivateEngineOptions,
  ) {
    this.engine = new Docker({ socketPath: this.socket });
  }

  get socket(): string {
    return join(this.dir, "docker.sock");
  }

  get address(): string {
    return `unix://${this.socket}`;
  }

  static async start(options: PrivateEngineOptions = {}): Promise<PrivateEngine> {
    await mkdir("/run/hermes-test", { recursive: true });
    const dir = await mkdtemp("/run/hermes-test/dockerd-");
    const namespaces = spawn("unshare", ["--net", "--mount", "sleep", "infinity"], { stdio: "ignore" });
    await ownNamespaces(namespaces);
    const engine = new PrivateEngine(dir, namespaces, options);
    await engine.up();
    const saved = spawn("docker", ["save", testImage], { stdio: ["ignore", "pipe", "inherit"] });
    await engine.engine
      .loadImage(saved.stdout as never)
      .then((stream) => new Promise((resolve) => engine.engine.modem.followProgress(stream, resolve)));
    return engine;
  }

  /** Starts the daemon and waits until its API answers. */
  async up(): Promise<void> {
    const daemon = spawn(
      "nsenter",
      [`--target=${this.namespaces.pid}`, "--net", "--mount", "dockerd", ...this.flags()],
      // From / : a daemon keeps the directory it started in.
      { cwd: "/", stdio: ["ignore", "ignore", "pipe"], detached: true },
    );
    const log: Buffer[] = [];
    daemon.stderr?.on("data", (chunk: Buffer) => log.push(chunk));
    this.daemon = daemon;
    const deadline = Date.now() + 30_000;
    while (
      !(await this.engine.ping().then(
        () => true,
        () => false,
      ))
    ) {
      if (daemon.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the private dockerd did not come up: ${Buffer.concat(log).toString().slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the daemon as `systemctl stop docker` does (SIGTERM) and waits for it and its containerd to exit. */
  async down(): Promise<void> {
    const daemon = this.daemon;
    if (!daemon || daemon.exitCode !== null) return;
    const pid = Number(await readFile(join(this.dir, "dockerd.pid"), "utf8").catch(() => "0"));
    const exited = once(daemon, "exit");
    if (pid > 0) process.kill(pid, "SIGTERM");
    else daemon.kill("SIGTERM");
    await exited;
  }

  /** Removes every container, stops the daemon, and deletes its state. */
  async close(): Promise<void> {
    if (this.daemon?.exitCode === null) {
      for (const info of await this.engine.listContainers({ all: true }).catch(() => [])) {
        await this.engine
          .getContainer(info.Id)
          .remove({ force: true, v: true })
          .catch(() => {});
      }
    }
    await this.down();
    this.namespaces.kill("SIGKILL");
    await rm(this.dir, { recursive: true, force: true });
  }

  private flags(): string[] {
    return [
      `--data-root=${join(this.dir, "data")}`,
      `--exec-root=${join(this.dir, "exec")}`,
      `--pidfile=${join(this.dir, "dockerd.pid")}`,
      `--host=${this.address}`,
      "--bridge=none",
      "--iptables=false",
      "--ip6tables=false",
      // The containers' init exits on SIGTERM at once; no reason to wait the default 15 s.
      "--shutdown-timeout=2",
      ...(this.options.liveRestore ? ["--live-restore"] : []),
    ];
  }
}

/** Waits until the holder has left the host's namespaces: a dockerd entering them too early would run in the host's. */
async function ownNamespaces(holder: ChildProcess): Promise<void> {
  const host = await readlink("/proc/self/ns/net");
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [net, comm] = await Promise.all([
      readlink(`/proc/${holder.pid}/ns/net`).catch(() => host),
      readFile(`/proc/${holder.pid}/comm`, "utf8").catch(() => ""),
    ]);
    if (net !== host && comm.trim() === "sleep") return;
    if (holder.exitCode !== null || Date.now() > deadline) throw new Error("the private engine's namespaces were not made");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
