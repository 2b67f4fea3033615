import { BackendUnavailableError, createEnv, type ExecutionEnvironment } from "@hermes/core";
import { describeWithService, type FaultProxy, startFaultProxy } from "@hermes/testkit";
import { afterAll, afterEach, beforeEach, expect, it } from "vitest";
import { daytona } from "../src/daytona/index.js";
import { modal } from "../src/modal/index.js";
import { startDaytonaFake, startModalFake, startVercelFake } from "../src/testing/index.js";
import { vercelSandbox } from "../src/vercel/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

// The network between the SDK and the vendor going away mid-command, injected by a TCP proxy in front of each fake.
const daytonaKey = "faults-key";
const vercelCredentials = { token: "faults-token", teamId: "team_faults", projectId: "prj_faults" };
const daytonaFake = bubblewrapMissing ? undefined : await startDaytonaFake({ apiKey: daytonaKey });
const vercelFake = bubblewrapMissing ? undefined : await startVercelFake(vercelCredentials);
const modalCredentials = { tokenId: "ak-faults", tokenSecret: "as-faults" };
const modalFake = bubblewrapMissing ? undefined : await startModalFake(modalCredentials);
afterAll(async () => {
  await daytonaFake?.close();
  await vercelFake?.close();
  await modalFake?.close();
});

const portOf = (url: string) => Number(new URL(url).port);
const backends = [
  {
    name: "daytona",
    fakePort: () => portOf(daytonaFake?.apiUrl ?? ""),
    sandboxes: () => daytonaFake?.sandboxNames(),
    ridesOutCut: false,
    backend: (port: number) => daytona({ apiKey: daytonaKey, apiUrl: `http://127.0.0.1:${port}/api` }),
  },
  {
    name: "vercel-sandbox",
    fakePort: () => portOf(vercelFake?.url ?? ""),
    sandboxes: () => vercelFake?.sandboxNames(),
    ridesOutCut: false,
    backend: (port: number) => vercelSandbox({ ...vercelCredentials, apiUrl: `http://127.0.0.1:${port}/api` }),
  },
  {
    name: "modal",
    fakePort: () => portOf(modalFake?.url ?? ""),
    sandboxes: () => modalFake?.sandboxNames(),
    // Modal's streams resume at the offset they had reached: a reset connection loses nothing.
    ridesOutCut: true,
    backend: (port: number) => {
      // The command router (where the session's streams go) is reached through the proxy too.
      if (modalFake) modalFake.routerUrl = `https://127.0.0.1:${port}`;
      return modal({ ...modalCredentials, apiUrl: `http://127.0.0.1:${port}` });
    },
  },
];

for (const { name, fakePort, sandboxes, backend, ridesOutCut } of backends) {
  describeWithService(`${name} backend: the network failing mid-command`, bubblewrapMissing, () => {
    let proxy: FaultProxy;
    let env: ExecutionEnvironment | undefined;
    beforeEach(async () => {
      proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: fakePort() } });
    });
    afterEach(async () => {
      proxy.resume();
      await env?.dispose();
      env = undefined;
      await proxy.close();
    });
    const settled = (running: Promise<unknown>) =>
      running.then(
        (result) => result,
        (caught: unknown) => caught,
      );

    it(
      ridesOutCut
        ? "cut: the command's streams resume, and it completes with all its output"
        : "cut: fails the command with a retryable BackendUnavailableError, and the next command works with the state",
      async () => {
        env = await createEnv({ backend: backend(proxy.port) });
        await env.exec("cd /tmp && export KEPT=1");
        const started = Date.now();
        const running = env.exec("echo early; sleep 3; echo late");
        setTimeout(() => proxy.cut(), 400);
        const outcome = await settled(running);
        if (ridesOutCut) expect(outcome).toMatchObject({ exitCode: 0, stdout: "early\nlate\n" });
        else {
          expect(outcome).toBeInstanceOf(BackendUnavailableError);
          expect((outcome as BackendUnavailableError).retryable).toBe(true);
          // The failure is reported when the connection goes, not when the command would have ended.
          expect(Date.now() - started).toBeLessThan(2500);
        }
        const after = await env.exec('echo "$KEPT $PWD"');
        expect(after).toMatchObject({ exitCode: 0, stdout: "1 /tmp\n" });
        await env.dispose();
        expect(sandboxes()).toEqual([]);
      },
    );

    it("down: fails the command with a retryable BackendUnavailableError while the vendor is unreachable, and works with the state once it is back", async () => {
      env = await createEnv({ backend: backend(proxy.port) });
      await env.exec("cd /tmp && export KEPT=1");
      const started = Date.now();
      const running = env.exec("sleep 30; echo late");
      setTimeout(() => proxy.down(), 400);
      const error = await settled(running);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).retryable).toBe(true);
      // Within the SDK's bounded retries, not the command's 30 s.
      expect(Date.now() - started).toBeLessThan(20_000);
      proxy.resume();
      const after = await env.exec('echo "$KEPT $PWD"');
      expect(after).toMatchObject({ exitCode: 0, stdout: "1 /tmp\n" });
      await env.dispose();
      expect(sandboxes()).toEqual([]);
    }, 40_000);

    it("silent: the command ends on its timeout although the vendor stops answering, and the next works once it is back", async () => {
      env = await createEnv({ backend: backend(proxy.port) });
      const warnings: string[] = [];
      env.on("warning", ({ message }) => warnings.push(message));
      await env.exec("true");
      const started = Date.now();
      const running = env.exec("sleep 20", { timeoutMs: 1000 });
      setTimeout(() => proxy.silence(), 300);
      // The command timed out; that its kill went unconfirmed is said as a warning.
      expect(await settled(running)).toMatchObject({ timedOut: true, exitCode: null });
      expect(warnings).toEqual([expect.stringMatching(/did not answer within 6 s/)]);
      // The timeout, the kill's grace and the 5 s the backend gets to confirm it, not the command's 20 s.
      expect(Date.now() - started).toBeLessThan(12_000);
      proxy.resume();
      expect((await env.exec("echo back")).stdout).toBe("back\n");
      await env.dispose();
      expect(sandboxes()).toEqual([]);
    }, 30_000);
  });
}
