import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendUnavailableError, createEnv } from "@hermes/core";
import { type FaultProxy, startFaultProxy } from "@hermes/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { ssh } from "../src/index.js";
import { describeWithServer, sshDir, sshPort, testServer } from "./ssh-test-support.js";

// Faults on the TCP path between the SDK and a real sshd, injected by a proxy on loopback.
describeWithServer("ssh backend: faults on the network path", () => {
  let dir: string;
  let proxy: FaultProxy;
  let knownHostsFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hermes-ssh-faults-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: sshPort } });
    // The test server's pinned key, for the proxy's address.
    const pinned = (await readFile(`${sshDir}/known_hosts`, "utf8")).replace(`[127.0.0.1]:${sshPort}`, `[127.0.0.1]:${proxy.port}`);
    knownHostsFile = join(dir, `known_hosts_${proxy.port}`);
    await writeFile(knownHostsFile, pinned);
  });
  afterEach(() => proxy.close());
  const throughProxy = (extra = {}) => ssh(testServer({ port: proxy.port, knownHostsFile, ...extra }));

  it("keeps a quick process's exit when the exec's reply, exit status and close arrive in one read", async () => {
    await using env = await createEnv({ backend: throughProxy() });
    await env.exec("true");
    proxy.batchReplies(40);
    const codes = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (code) => (await (await env.spawn(`exit ${code}`)).wait()).exitCode),
    );
    expect(codes).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // File operations that run a short command each come back too.
    await env.files.write("batched.txt", "kept");
    expect(await env.files.readText("batched.txt")).toBe("kept");
    await env.files.remove("batched.txt");
  });

  it("fails the command in flight when the path is cut (RST both ways), then reconnects with the session's state", async () => {
    await using env = await createEnv({ backend: throughProxy() });
    await env.exec("cd /tmp && export KEPT=yes");
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const inFlight = env.exec("echo started; sleep 30", { timeoutMs: 60_000, onStdout: () => started() });
    await running;
    proxy.cut();
    const error = await inFlight.catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).retryable).toBe(true);
    expect((await env.exec('echo "$KEPT $PWD"')).stdout).toBe("yes /tmp\n");
  }, 60_000);

  it("notices a path gone silent (no FIN, no RST) within two keepalive intervals, then reconnects", async () => {
    await using env = await createEnv({ backend: throughProxy({ keepaliveMs: 300 }) });
    await env.exec("export KEPT=yes");
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const inFlight = env.exec("echo started; sleep 30", { timeoutMs: 60_000, onStdout: () => started() });
    await running;
    proxy.silence();
    const silencedAt = Date.now();
    const error = await inFlight.catch((caught: unknown) => caught);
    const noticedAfterMs = Date.now() - silencedAt;
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    // The first probe goes out within one interval and is given two: three intervals at most, with slack.
    expect(noticedAfterMs).toBeLessThan(300 * 3 + 2000);
    proxy.resume();
    expect((await env.exec('echo "$KEPT"')).stdout).toBe("yes\n");
  }, 60_000);
});
