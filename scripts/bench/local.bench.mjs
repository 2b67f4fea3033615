// The local backend: per-command overhead against spawning bash per command, and output throughput.
import { spawn } from "node:child_process";
import { createEnv } from "@hermes/core";
import { outputScript, printThroughput, printTimings, sampleInterleaved } from "./measure.mjs";

const megabytes = 200;
const command = "true";

function spawnBash(script, onData) {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", onData ?? (() => {}));
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", resolve);
  });
}

export async function benchLocal({ iterations }) {
  const env = await createEnv({ backend: "local" });
  try {
    await env.start();
    const samples = await sampleInterleaved(
      {
        "child_process.spawn bash -c": () => spawnBash(command),
        "env.exec (session)": () => env.exec(command),
        "env.exec (session: false)": () => env.exec(command, { session: false }),
      },
      { iterations },
    );
    printTimings(`local: per-command overhead of \`${command}\` (${iterations} runs each)`, samples, "child_process.spawn bash -c");

    const script = outputScript(megabytes);
    await printThroughput(`local: ${megabytes} MB of output through one command, streamed to a callback`, megabytes, {
      "child_process.spawn bash -c": (onData) => spawnBash(script, onData),
      "env.exec (session)": (onData) => env.exec(script, { onStdout: onData }),
    });
  } finally {
    await env.dispose();
  }
}
