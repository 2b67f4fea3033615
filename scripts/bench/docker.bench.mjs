// The docker backend against what users do today: `docker exec CONTAINER bash -c CMD` per command, and
// `docker run --rm IMAGE true` for a cold start. Same engine, same image, same run.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { docker } from "@hermes/backend-docker";
import { createEnv } from "@hermes/core";
import Docker from "dockerode";
import { printTimings, sampleInterleaved, withPeakRss } from "./measure.mjs";

const run = promisify(execFile);
const image = process.env.HERMES_DOCKER_TEST_IMAGE ?? "hermes-test:bash";
const megabytes = 200;

export async function benchDocker({ iterations }) {
  const engine = new Docker();
  try {
    await engine.ping();
    await engine.getImage(image).inspect();
  } catch (error) {
    if (process.env.CI === "true") throw error;
    console.log(`\ndocker: skipped (${error.message}); run scripts/services/docker.sh`);
    return;
  }
  const perCommand = Math.max(20, Math.round(iterations / 5));
  const env = await createEnv({ backend: docker({ image, network: "none" }) });
  try {
    await env.start();
    const [container] = await engine.listContainers({ filters: { label: [`hermes.env-id=${env.id}`] } });
    const samples = await sampleInterleaved(
      {
        "docker exec CONTAINER bash -c": () => run("docker", ["exec", container.Id, "bash", "-c", "true"]),
        "env.exec (session)": () => env.exec("true"),
      },
      { iterations: perCommand, warmup: 3, block: 5 },
    );
    printTimings(
      `docker: per-command overhead of \`true\` on one container (${perCommand} runs each)`,
      samples,
      "docker exec CONTAINER bash -c",
    );

    const coldRuns = 7;
    const cold = { "docker run --rm IMAGE true": [], "createEnv to first exec result": [] };
    for (let i = 0; i < coldRuns; i++) {
      let begin = performance.now();
      await run("docker", ["run", "--rm", "--network", "none", image, "true"]);
      cold["docker run --rm IMAGE true"].push(performance.now() - begin);
      begin = performance.now();
      const fresh = await createEnv({ backend: docker({ image, network: "none" }) });
      await fresh.exec("true");
      cold["createEnv to first exec result"].push(performance.now() - begin);
      await fresh.dispose();
    }
    printTimings(`docker: cold start (${coldRuns} runs each)`, cold, "docker run --rm IMAGE true");

    console.log(`\ndocker: ${megabytes} MB of output through one command, streamed to a callback`);
    const script = `head -c ${megabytes * 1024 * 1024} /dev/zero | tr '\\0' x`;
    const rows = {
      "docker exec CONTAINER bash -c": () =>
        new Promise((resolve, reject) => {
          let count = 0;
          const child = spawn("docker", ["exec", container.Id, "bash", "-c", script], { stdio: ["ignore", "pipe", "ignore"] });
          child.stdout.on("data", (chunk) => (count += chunk.length));
          child.on("error", reject);
          child.on("close", () => resolve(count));
        }),
      "env.exec (session)": async () => {
        let count = 0;
        await env.exec(script, { onStdout: (chunk) => (count += chunk.length), timeoutMs: 600_000 });
        return count;
      },
    };
    for (const [name, measure] of Object.entries(rows)) {
      const start = performance.now();
      const { value: bytes, rssGrowth } = await withPeakRss(measure);
      const seconds = (performance.now() - start) / 1000;
      if (bytes !== megabytes * 1024 * 1024) throw new Error(`${name} delivered ${bytes} bytes, expected ${megabytes} MiB`);
      const rate = `${(megabytes / seconds).toFixed(0)} MB/s`;
      console.log(`  ${name.padEnd(34)}${rate.padStart(10)}   peak RSS growth ${(rssGrowth / 1024 / 1024).toFixed(1)} MB`);
    }
  } finally {
    await env.dispose();
  }
}
