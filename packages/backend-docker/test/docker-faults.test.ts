import { BackendUnavailableError, createEnv, type ExecutionEnvironment, FileSystemError } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { docker } from "../src/index.js";
import { containersOf, describeWithEngine, engine, testImage } from "./docker-test-support.js";
import { PrivateEngine } from "./private-engine.js";

/** Warnings an environment emits, collected. */
function warnings(env: ExecutionEnvironment): Array<{ code: string; message: string }> {
  const seen: Array<{ code: string; message: string }> = [];
  env.on("warning", (warning: { code: string; message: string }) => seen.push(warning));
  return seen;
}

/** Starts a command that prints `started`, sleeps and prints `done`; resolves once it has started, with its outcome. */
async function inFlight(env: ExecutionEnvironment): Promise<Promise<unknown>> {
  let started: () => void = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const outcome = env
    .exec("echo started; sleep 3; echo done", { timeoutMs: 60_000, onStdout: () => started() })
    .catch((error: unknown) => error);
  await running;
  return outcome;
}

async function containerOf(env: ExecutionEnvironment) {
  const [info] = await containersOf(env.id);
  if (!info) throw new Error(`no container for ${env.id}`);
  return engine.getContainer(info.Id);
}

/**
 * A command in flight when its container is killed ends by SIGKILL (137: docker exec reports only codes)
 * with the output it printed. Seen on
 * this engine: a kill that lands just as the command starts can let the container run until the command
 * ends, which then has its real result. Either way nothing is lost or mixed.
 */
function expectKilledOrDone(result: unknown): void {
  const { exitCode, signal, stdout } = result as { exitCode: unknown; signal: unknown; stdout: unknown };
  expect([
    { exitCode: 137, signal: null, stdout: "started\n" },
    { exitCode: 0, signal: null, stdout: "started\ndone\n" },
  ]).toContainEqual({ exitCode, signal, stdout });
}

const options = { image: testImage, network: "none" } as const;

describeWithEngine("docker backend: faults from outside", () => {
  it("a container killed from outside: the command in flight keeps its output, the next call starts it again with the session's state", async () => {
    await using env = await createEnv({ backend: docker(options) });
    const seen = warnings(env);
    await env.exec("mkdir -p /workspace/w && cd /workspace/w && export KEPT=yes && echo kept > file.txt");
    const running = await inFlight(env);
    await (await containerOf(env)).kill();
    expectKilledOrDone(await running);
    const next = await env.exec('echo "$KEPT $PWD $(cat file.txt)"');
    expect(next.stdout).toBe("yes /workspace/w kept\n");
    expect(seen).toEqual([
      expect.objectContaining({
        code: "DOCKER_CONTAINER_RESTARTED",
        message: expect.stringMatching(/had stopped \(exited 137 at .*running processes are gone/),
      }),
    ]);
    await env.dispose();
    expect(await containersOf(env.id)).toEqual([]);
  }, 60_000);

  it("a container removed from outside: a typed error that no retry fixes, and a quiet dispose", async () => {
    const env = await createEnv({ backend: docker(options) });
    const seen = warnings(env);
    await env.exec("export KEPT=yes");
    const running = await inFlight(env);
    await (await containerOf(env)).remove({ force: true, v: true });
    expectKilledOrDone(await running);
    const next = await env.exec("true").catch((error: unknown) => error);
    expect(BackendUnavailableError.isInstance(next)).toBe(true);
    expect((next as BackendUnavailableError).retryable).toBe(false);
    expect((next as Error).message).toMatch(/container hermes-\w+ was removed outside Hermes .*create a new one/);
    await env.dispose();
    expect(seen.filter((warning) => warning.code === "DOCKER_REMOVE_FAILED")).toEqual([]);
    expect(await containersOf(env.id)).toEqual([]);
  }, 60_000);

  it("/tmp full: commands go on with their state as bash would, a file write says NoSpace, and works once space is freed", async () => {
    await using env = await createEnv({ backend: docker(options) });
    await env.exec("cd /tmp && export KEPT=yes");
    const fill = await env.exec("cat /dev/zero > /tmp/fill; echo $?");
    expect(fill.stdout).toBe("1\n");
    expect(fill.stderr).toMatch(/No space left on device/);
    const next = await env.exec('echo "$KEPT $PWD"; echo more > /tmp/more');
    expect([next.stdout, next.exitCode]).toEqual(["yes /tmp\n", 1]);
    const write = await env.files.write("/tmp/note.txt", "x".repeat(4096)).catch((error: unknown) => error);
    expect(FileSystemError.isInstance(write)).toBe(true);
    expect(write).toMatchObject({ reason: "NoSpace", code: "FILE_NO_SPACE", path: "/tmp/note.txt" });
    await env.files.remove("/tmp/fill");
    await env.files.write("/tmp/note.txt", "fits");
    expect(await env.files.readText("/tmp/note.txt")).toBe("fits");
  }, 60_000);

  it("the memory limit: a child killed as in bash (137), a killed session shell gives 137 (docker exec reports only codes) and the session comes back", async () => {
    await using env = await createEnv({ backend: docker({ ...options, memoryMb: 64 }) });
    await env.exec("cd /tmp && export KEPT=yes");
    // tail keeps all of a line-less input: it is the one the kernel kills.
    const child = await env.exec('head -c 300000000 /dev/zero | tail; echo "tail ${PIPESTATUS[1]}"');
    expect(child.stdout).toBe("tail 137\n");
    // A command substitution grows the shell itself.
    const shell = await env.exec("x=$(head -c 300000000 /dev/zero | tr '\\0' a); echo ${#x}");
    expect(shell).toMatchObject({ exitCode: 137, signal: null, stdout: "" });
    expect((await env.exec('echo "$KEPT $PWD"')).stdout).toBe("yes /tmp\n");
  }, 60_000);
});

describeWithEngine("docker backend: the engine restarted", () => {
  let privateEngine: PrivateEngine;
  beforeAll(async () => {
    privateEngine = await PrivateEngine.start();
  }, 60_000);
  afterAll(() => privateEngine?.close(), 60_000);

  it("mid-command: the command fails retryably, the next call runs once the engine is back, with the session's state and files", async () => {
    await using env = await createEnv({ backend: docker({ ...options, host: privateEngine.address }) });
    const seen = warnings(env);
    await env.exec("mkdir -p /workspace/w && cd /workspace/w && export KEPT=yes && echo kept > file.txt");
    const running = await inFlight(env);
    await privateEngine.down();
    const error = await running;
    // The connection went with the engine, or the engine's shutdown waited for the command (see above).
    if (BackendUnavailableError.isInstance(error)) expect(error.retryable).toBe(true);
    else expectKilledOrDone(error);
    const whileDown = await env.exec("true").catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(whileDown)).toBe(true);
    expect((whileDown as BackendUnavailableError).retryable).toBe(true);
    await privateEngine.up();
    expect((await env.exec('echo "$KEPT $PWD $(cat file.txt)"')).stdout).toBe("yes /workspace/w kept\n");
    expect(seen.map((warning) => warning.code)).toContain("DOCKER_CONTAINER_RESTARTED");
    await env.dispose();
    expect(await privateEngine.engine.listContainers({ all: true })).toEqual([]);
  }, 90_000);
});

describeWithEngine("docker backend: a live-restore engine restarted", () => {
  let privateEngine: PrivateEngine;
  beforeAll(async () => {
    privateEngine = await PrivateEngine.start({ liveRestore: true });
  }, 60_000);
  afterAll(() => privateEngine?.close(), 60_000);

  it("the container outlives the engine: the next call runs in it with the session's state, its tmpfs files and its background processes, which can still be killed", async () => {
    await using env = await createEnv({ backend: docker({ ...options, host: privateEngine.address }) });
    const seen = warnings(env);
    await env.exec("mkdir -p /workspace/w && cd /workspace/w && export KEPT=yes && echo kept > /tmp/file.txt");
    const background = await env.spawn("exec sleep 300");
    const running = await inFlight(env);
    await privateEngine.down();
    const error = await running;
    if (BackendUnavailableError.isInstance(error)) expect(error.retryable).toBe(true);
    else expectKilledOrDone(error);
    await privateEngine.up();
    // /tmp is a tmpfs: the file there is kept only because the container never stopped.
    expect((await env.exec('echo "$KEPT $PWD $(cat /tmp/file.txt)"')).stdout).toBe("yes /workspace/w kept\n");
    const sleeping = 'for p in /proc/[0-9]*; do [ "$(tr "\\0" " " < $p/cmdline 2>/dev/null)" = "sleep 300 " ] && echo $p; done; :';
    expect((await env.exec(sleeping)).stdout).toMatch(/^\/proc\/\d+\n$/);
    expect(seen.map((warning) => warning.code)).not.toContain("DOCKER_CONTAINER_RESTARTED");
    await background.kill("SIGKILL");
    expect((await env.exec(sleeping)).stdout).toBe("");
    await env.dispose();
    expect(await privateEngine.engine.listContainers({ all: true })).toEqual([]);
  }, 90_000);
});
