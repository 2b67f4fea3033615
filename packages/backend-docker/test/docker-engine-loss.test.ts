import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendUnavailableError, createEnv } from "@hermes/core";
import { expect, it } from "vitest";
import { docker } from "../src/index.js";
import { containersOf, describeWithEngine, EngineRelay, engine, testImage } from "./docker-test-support.js";

/** A unix-socket relay to the real engine that can be cut. */
async function engineRelay(): Promise<{ address: string; cut(): Promise<void> }> {
  const path = join(tmpdir(), `hermes-engine-relay-${process.pid}.sock`);
  const relay = new EngineRelay();
  const server = createServer(relay.accept);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { address: `unix://${path}`, cut: () => relay.cut(server) };
}

describeWithEngine("docker backend: the engine going away", () => {
  it("fails the command in flight with a retryable BackendUnavailableError, without hanging", async () => {
    const relay = await engineRelay();
    const env = await createEnv({ backend: docker({ image: testImage, network: "none", host: relay.address }) });
    try {
      await env.start();
      const running = env.exec("echo started; sleep 30", { timeoutMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const began = Date.now();
      await relay.cut();
      const error = await running.catch((caught: unknown) => caught);
      expect(BackendUnavailableError.isInstance(error)).toBe(true);
      expect((error as BackendUnavailableError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/connection to the Docker engine was lost/);
      expect(Date.now() - began).toBeLessThan(10_000);
      // The next call fails the same way (nothing to reconnect to), again without hanging.
      const next = await env.exec("true").catch((caught: unknown) => caught);
      expect(BackendUnavailableError.isInstance(next)).toBe(true);
    } finally {
      await env.dispose();
      for (const info of await containersOf(env.id)) await engine.getContainer(info.Id).remove({ force: true, v: true });
    }
  }, 60_000);
});
