import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BackendUnavailableError, createEnv, type ExecutionEnvironment } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ssh } from "../src/index.js";
import { describeWithServer, sshDir, sshPort, testServer } from "./ssh-test-support.js";

const run = promisify(execFile);
/** A second sshd of this test's own, from the test server's configuration, so restarting it disturbs no other suite. */
const port = sshPort + 1;

describeWithServer("ssh backend: the server restarted", () => {
  let dir: string;
  let knownHostsFile: string;
  const pidFile = () => join(dir, "sshd.pid");
  const listener = async () => Number(await readFile(pidFile(), "utf8"));
  const start = async () => {
    await run("/usr/sbin/sshd", ["-f", join(dir, "sshd_config"), "-E", join(dir, "sshd.log")]);
  };
  /** Stops the listener (SIGTERM, as `systemctl stop ssh`); with `connections`, also every connection's process. */
  const stop = async (connections: boolean) => {
    const pid = await listener();
    const connectionProcesses = connections ? await descendants(pid) : [];
    process.kill(pid, "SIGTERM");
    for (const child of connectionProcesses) process.kill(child, "SIGKILL");
    while (await alive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const options = () => ssh(testServer({ port, knownHostsFile }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hermes-sshd-restart-"));
    const config = (await readFile(`${sshDir}/sshd_config`, "utf8"))
      .replace(/^Port .*$/m, `Port ${port}`)
      .replace(/^PidFile .*$/m, `PidFile ${pidFile()}`);
    await writeFile(join(dir, "sshd_config"), config);
    knownHostsFile = join(dir, "known_hosts");
    await writeFile(knownHostsFile, (await readFile(`${sshDir}/known_hosts`, "utf8")).replace(`]:${sshPort}`, `]:${port}`));
    await start();
  });
  afterAll(async () => {
    if (dir) await stop(true).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it("restarted as `systemctl restart ssh` does (connections kept): the command in flight completes, new environments connect", async () => {
    await using env = await createEnv({ backend: options() });
    await env.exec("cd /tmp && export KEPT=yes");
    const running = inFlight(env);
    await running.started;
    await stop(false);
    await start();
    expect(await running.outcome).toMatchObject({ exitCode: 0, stdout: "started\ndone\n" });
    expect((await env.exec('echo "$KEPT $PWD"')).stdout).toBe("yes /tmp\n");
    await using other = await createEnv({ backend: options() });
    expect((await other.exec("echo new")).stdout).toBe("new\n");
  }, 60_000);

  it("stopped with its connections: the command fails retryably, calls fail retryably while it is down, then reconnect with the state", async () => {
    await using env = await createEnv({ backend: options() });
    await env.exec("cd /tmp && export KEPT=yes");
    const running = inFlight(env);
    await running.started;
    await stop(true);
    const error = await running.outcome;
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).retryable).toBe(true);
    const whileDown = await env.exec("true").catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(whileDown)).toBe(true);
    expect((whileDown as BackendUnavailableError).retryable).toBe(true);
    expect((whileDown as Error).message).toMatch(/refused/i);
    await start();
    expect((await env.exec('echo "$KEPT $PWD"')).stdout).toBe("yes /tmp\n");
  }, 60_000);
});

/** A command that prints `started`, sleeps a little and prints `done`: its outcome is its result or its error. */
function inFlight(env: ExecutionEnvironment) {
  let started: () => void = () => {};
  const began = new Promise<void>((resolve) => {
    started = resolve;
  });
  // Settled at once (result or error), so a failure is not an unhandled rejection while the test waits.
  const outcome = env
    .exec("echo started; sleep 1; echo done", { timeoutMs: 60_000, onStdout: () => started() })
    .catch((error: unknown) => error);
  return { started: began, outcome };
}

/** Every process under `pid` (a connection's privileged process and the user's under it). */
async function descendants(pid: number): Promise<number[]> {
  const rows = (await run("ps", ["-e", "-o", "pid=,ppid="])).stdout
    .trim()
    .split("\n")
    .map((row) => row.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  for (let parents = [pid]; parents.length > 0; ) {
    parents = rows.filter(([, parent]) => parents.includes(parent as number)).map(([child]) => child as number);
    found.push(...parents);
  }
  return found;
}

async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
