// The docker backend against what users do today: `docker exec CONTAINER bash -c CMD` per command, and
// `docker run --rm IMAGE true` for a cold start. Same engine, same image, same run.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { docker } from "@hermes/backend-docker";
import { createEnv } from "@hermes/core";
import Docker from "dockerode";
import {
  outputScript,
  printFloorRatios,
  printThroughput,
  printTimings,
  rawLoop,
  rawRoundTrips,
  sampleInterleaved,
  streamFromProgram,
  warmJit,
} from "./measure.mjs";

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
    // The floor: a bare bash read loop over one attached exec stream of the same container, through the engine.
    const exec = await engine.getContainer(container.Id).exec({
      Cmd: ["bash", "--noprofile", "--norc", "-c", rawLoop],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: true });
    const raw = rawRoundTrips({ stdin: stream, stdout: stream });
    const rows = {
      "raw bash loop, exec stream (floor)": () => raw("true"),
      "env.exec (session)": () => env.exec("true"),
      "docker exec CONTAINER bash -c": () => run("docker", ["exec", container.Id, "bash", "-c", "true"]),
    };
    await warmJit(() => env.exec("true"), 1000);
    const samples = await sampleInterleaved(rows, { iterations: perCommand, warmup: 3, block: 5 });
    printTimings(
      `docker: per-command overhead of \`true\` on one container (${perCommand} runs each)`,
      samples,
      "docker exec CONTAINER bash -c",
    );
    await printFloorRatios("docker: against the floor, the same exec stream with no protocol", {
      rows,
      samples,
      floor: "raw bash loop, exec stream (floor)",
      count: perCommand,
    });
    stream.end();

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

    const script = outputScript(megabytes);
    await printThroughput(`docker: ${megabytes} MB of output through one command, streamed to a callback`, megabytes, {
      "docker exec CONTAINER bash -c": streamFromProgram("docker", ["exec", container.Id, "bash", "-c", script]),
      "env.exec (session)": (onData) => env.exec(script, { onStdout: onData, timeoutMs: 600_000 }),
    });
  } finally {
    await env.dispose();
  }
}
