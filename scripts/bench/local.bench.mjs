// The local backend: per-command overhead against spawning bash per command, and output throughput.
import { spawn } from "node:child_process";
import { createEnv } from "@hermes/core";
import { printTimings, sampleInterleaved, withPeakRss } from "./measure.mjs";

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

    const script = `head -c ${megabytes * 1024 * 1024} /dev/zero | tr '\\0' x`;
    console.log(`\nlocal: ${megabytes} MB of output through one command, streamed to a callback`);
    const rows = {
      "child_process.spawn bash -c": () => count((onData) => spawnBash(script, onData)),
      "env.exec (session)": () => count((onData) => env.exec(script, { onStdout: onData })),
    };
    for (const [name, run] of Object.entries(rows)) {
      const start = performance.now();
      const { value: bytes, rssGrowth } = await withPeakRss(run);
      const seconds = (performance.now() - start) / 1000;
      if (bytes !== megabytes * 1024 * 1024) throw new Error(`${name} delivered ${bytes} bytes, expected ${megabytes} MiB`);
      const rate = `${(megabytes / seconds).toFixed(0)} MB/s`;
      console.log(`  ${name.padEnd(34)}${rate.padStart(10)}   peak RSS growth ${(rssGrowth / 1024 / 1024).toFixed(1)} MB`);
    }
  } finally {
    await env.dispose();
  }
}

async function count(run) {
  let bytes = 0;
  await run((chunk) => {
    bytes += chunk.length;
  });
  return bytes;
}
