import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BackendUnavailableError, createEnv, loadConfig, PolicyDeniedError } from "@hermes/core";
import { hostProcessAlive } from "@hermes/testkit";
import { expect, it } from "vitest";
import { ssh } from "../src/index.js";
import { describeWithServer, sshDir, sshPort, testServer, testServerConfig } from "./ssh-test-support.js";

const run = promisify(execFile);
// The built hermes-env, as a user runs it (`pnpm test` builds first).
const cli = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));

describeWithServer("ssh backend: reconnection and lifecycle", () => {
  it("fails the call in flight when the server side dies, then reconnects with the session's cwd and variables", async () => {
    await using env = await createEnv({ backend: ssh(testServer()) });
    await env.exec("mkdir -p /tmp/hermes-reconnect && cd /tmp/hermes-reconnect && export KEPT='still here'");
    // The session shell's parent is sshd's process for this connection: killing it drops the connection.
    const serverSide = Number((await env.exec("echo $PPID")).stdout);
    expect((await run("ps", ["-o", "args=", "-p", String(serverSide)])).stdout).toMatch(/^sshd: hermes/);
    const inFlight = env.exec("echo started; sleep 30", { timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(serverSide, "SIGKILL");
    const error = await inFlight.catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).retryable).toBe(true);
    const after = await env.exec('echo "$KEPT in $PWD"');
    expect(after.stdout).toBe("still here in /tmp/hermes-reconnect\n");
    expect(Number((await env.exec("echo $PPID")).stdout)).not.toBe(serverSide);
    // Files go over the new connection too.
    await env.files.write("after-reconnect.txt", "ok");
    expect(await env.files.readText("/tmp/hermes-reconnect/after-reconnect.txt")).toBe("ok");
    await env.files.remove("/tmp/hermes-reconnect", { recursive: true });
  }, 60_000);

  it("cuts a connection whose server stops answering (no FIN, no RST) after two keepalive intervals", async () => {
    await using env = await createEnv({ backend: ssh(testServer({ keepaliveMs: 300 })) });
    const serverSide = Number((await env.exec("echo $PPID")).stdout);
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const inFlight = env.exec("echo started; sleep 30", { timeoutMs: 60_000, onStdout: () => started() });
    await running;
    process.kill(serverSide, "SIGSTOP");
    try {
      const error = await inFlight.catch((caught: unknown) => caught);
      expect(BackendUnavailableError.isInstance(error)).toBe(true);
    } finally {
      process.kill(serverSide, "SIGKILL");
    }
    expect((await env.exec("echo back")).stdout).toBe("back\n");
  }, 60_000);

  it("lets a program that never disposes its environment exit", async () => {
    const script = fileURLToPath(new URL("./fixtures/no-dispose.mjs", import.meta.url));
    const { stdout } = await run(process.execPath, [script, sshDir, String(sshPort)], { timeout: 30_000 });
    expect(stdout).toBe("ran\n");
  }, 60_000);

  it("runs more processes at once than the server allows channels on one connection (MaxSessions, 10 by default)", async () => {
    await using env = await createEnv({ backend: ssh(testServer()) });
    const processes = [];
    for (let i = 0; i < 14; i++) processes.push(await env.spawn(`sleep 1; echo done ${i}`));
    const results = await Promise.all(processes.map((process) => process.wait()));
    expect(results.map((result) => result.stdout)).toEqual(processes.map((_, i) => `done ${i}\n`));
    expect((await env.exec("echo still fine")).stdout).toBe("still fine\n");
  }, 60_000);

  it("dispose ends background processes and the connection, and keeps the remote folder", async () => {
    const env = await createEnv({ backend: ssh(testServer()) });
    await env.exec("mkdir -p /tmp/hermes-kept && echo data > /tmp/hermes-kept/file");
    const background = Number((await env.exec("nohup sleep 300 >/dev/null 2>&1 & echo $!")).stdout);
    expect(await hostProcessAlive(background)).toBe(true);
    await env.dispose();
    expect(await hostProcessAlive(background)).toBe(false);
    const connections = (await run("ss", ["-tnpH", "state", "established", `( dport = :${sshPort} )`])).stdout;
    expect(connections).not.toContain(`pid=${process.pid},`);
    await using other = await createEnv({ backend: ssh(testServer()) });
    expect((await other.exec("cat /tmp/hermes-kept/file")).stdout).toBe("data\n");
    await other.files.remove("/tmp/hermes-kept", { recursive: true });
  }, 60_000);

  it("hermes-env backend reap ends what an owner killed with SIGKILL left on the server, and only that", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hermes-ssh-reap-"));
    const kept = await createEnv({ backend: ssh(testServer()) });
    try {
      const config = join(dir, "hermes.yaml");
      await writeFile(
        config,
        `backend:\n  default: box\n  backends:\n    box: { type: ssh, host: 127.0.0.1, port: ${sshPort}, user: hermes, ` +
          `key: ${sshDir}/id_ed25519, known_hosts: ${sshDir}/known_hosts }\n`,
      );
      // A live environment's background process: its owner (this process) runs, so it stays.
      const alive = Number((await kept.exec("nohup sleep 300 >/dev/null 2>&1 & echo $!")).stdout);
      const script = fileURLToPath(new URL("./fixtures/leave-remote-process.mjs", import.meta.url));
      const owner = spawn(process.execPath, [script, config], { stdio: ["ignore", "pipe", "inherit"] });
      const left = await new Promise<number>((resolve) => owner.stdout.once("data", (chunk: Buffer) => resolve(Number(String(chunk)))));
      owner.kill("SIGKILL");
      await new Promise((resolve) => owner.once("exit", resolve));
      expect(await hostProcessAlive(left)).toBe(true);
      const { stdout } = await run(process.execPath, [cli, "backend", "reap", "--config", config]);
      expect(stdout).toContain(`box: removed ssh process ${left} on 127.0.0.1`);
      expect(await hostProcessAlive(left)).toBe(false);
      expect(await hostProcessAlive(alive)).toBe(true);
    } finally {
      await kept.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("holds a backend's allowed_commands: a refused command never reaches the server", async () => {
    const box = testServerConfig();
    await using env = await createEnv({
      config: { backend: { backends: { box: { ...box, allowed_commands: ["bash", "echo"] } } } },
      usage: false,
    });
    expect((await env.exec("echo allowed")).stdout).toBe("allowed\n");
    const refused = await env.exec("touch /tmp/hermes-not-allowed").catch((error: unknown) => error);
    expect(PolicyDeniedError.isInstance(refused) && refused.rule).toBe("allowed_commands");
    expect(existsSync("/tmp/hermes-not-allowed")).toBe(false);
    expect((await env.exec("bash -c 'echo nested'")).stdout).toBe("nested\n");
    const nested = await env.exec("bash -c 'cat /etc/hostname'").catch((error: unknown) => error);
    expect(PolicyDeniedError.isInstance(nested) && nested.reason).toMatch(/cat is not an allowed command/);
  }, 60_000);

  it("takes the Hermes terminal: keys and TERMINAL_SSH_* overrides, with ~/.ssh/known_hosts", async () => {
    const home = await mkdtemp(join(tmpdir(), "hermes-ssh-home-"));
    const savedHome = process.env.HOME;
    try {
      await mkdir(join(home, ".ssh"), { mode: 0o700 });
      await writeFile(join(home, ".ssh", "known_hosts"), await readFile(`${sshDir}/known_hosts`));
      process.env.HOME = home;
      const config = await loadConfig(
        { terminal: { backend: "ssh", ssh_host: "127.0.0.1", ssh_user: "nobody", ssh_port: 22, cwd: "/tmp" } },
        { env: { TERMINAL_SSH_USER: "hermes", TERMINAL_SSH_PORT: String(sshPort), TERMINAL_SSH_KEY: `${sshDir}/id_ed25519` } },
      );
      await using env = await createEnv({ config });
      expect((await env.exec("whoami; pwd")).stdout).toBe("hermes\n/tmp\n");
    } finally {
      process.env.HOME = savedHome;
      await rm(home, { recursive: true, force: true });
    }
  }, 60_000);
});
