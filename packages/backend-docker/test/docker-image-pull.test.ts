import { execFile } from "node:child_process";
import { connect } from "node:net";
import { promisify } from "node:util";
import { createEnv } from "@hermes/core";
import { expect, it } from "vitest";
import { docker } from "../src/index.js";
import { describeWithEngine, engine, testImage } from "./docker-test-support.js";

const run = promisify(execFile);

/** The private registry scripts/services/docker.sh starts on 127.0.0.1:5000. */
const registryUp = await new Promise<boolean>((resolve) => {
  const socket = connect(5000, "127.0.0.1", () => {
    socket.end();
    resolve(true);
  });
  socket.on("error", () => resolve(false));
});

describeWithEngine("docker backend: image pulls", () => {
  const pullCase = "pulls a missing image from its registry with progress events, then runs in it";
  if (!registryUp && process.env.CI !== "true") {
    it.skip(`${pullCase} [skipped: no registry on 127.0.0.1:5000; run scripts/services/docker.sh]`, () => {});
    return;
  }
  it(pullCase, async () => {
    const image = `localhost:5000/hermes-pull-test:${process.pid}`;
    await run("docker", ["tag", testImage, image]);
    await run("docker", ["push", image]);
    await engine.getImage(image).remove();
    const progress: string[] = [];
    const env = await createEnv({ backend: docker({ image, network: "none" }) });
    env.on("progress", ({ message }) => progress.push(message));
    try {
      expect((await env.exec("echo pulled")).stdout).toBe("pulled\n");
      expect(progress[0]).toBe(`pulling ${image} from localhost:5000`);
      expect(progress.some((message) => /Pull complete|Download complete|Downloaded newer image/.test(message))).toBe(true);
      expect(progress.at(-1)).toBe(`pulled ${image}`);
    } finally {
      await env.dispose();
      await engine
        .getImage(image)
        .remove()
        .catch(() => {});
    }
  }, 60_000);
});
