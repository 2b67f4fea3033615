// The local backend: per-command overhead against spawning bash per command, and output throughput.
import { spawn } from "node:child_process";
import { createEnv } from "@hermes/core";
import {
  outputScript,
  printFloorRatios,
  printThroughput,
  printTimings,
  rawLoop,
  rawRoundTrips,
  sampleInterleaved,
  warmJit,
} from "./measure.mjs";

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

/** A bare bash read loop over a local pipe: the floor of a session on this backend. */
function rawBash() {
  const child = spawn("bash", ["--noprofile", "--norc", "-c", rawLoop], { stdio: ["pipe", "pipe", "ignore"] });
  return { trip: rawRoundTrips(child), close: () => child.kill() };
}

export async function benchLocal({ iterations }) {
  const env = await createEnv({ backend: "local" });
  const raw = rawBash();
  try {
    await env.start();
    const rows = {
      "raw bash read loop (floor)": () => raw.trip(command),
      "env.exec (session)": () => env.exec(command),
      "child_process.spawn bash -c": () => spawnBash(command),
      "env.exec (session: false)": () => env.exec(command, { session: false }),
    };
    await warmJit(() => env.exec(command));
    const samples = await sampleInterleaved(rows, { iterations });
    printTimings(`local: per-command overhead of \`${command}\` (${iterations} runs each)`, samples, "child_process.spawn bash -c");
    await printFloorRatios("local: against the floor, the same transport with no protocol", {
      rows,
      samples,
      floor: "raw bash read loop (floor)",
      count: iterations,
    });
    await benchWarmEnvironments(100, 20);

    const script = outputScript(megabytes);
    await printThroughput(`local: ${megabytes} MB of output through one command, streamed to a callback`, megabytes, {
      "child_process.spawn bash -c": (onData) => spawnBash(script, onData),
      "env.exec (session)": (onData) => env.exec(script, { onStdout: onData }),
    });
  } finally {
    raw.close();
    await env.dispose();
  }
}

/** `count` warm environments running `rounds` commands each at once, against as many raw read loops. */
async function benchWarmEnvironments(count, rounds) {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const envs = await Promise.all(Array.from({ length: count }, () => createEnv({ backend: "local", usage: false })));
  const loops = Array.from({ length: count }, rawBash);
  try {
    await Promise.all(envs.map((env) => env.exec(command)));
    globalThis.gc?.();
    const idleMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20 / count;
    await Promise.all(loops.map((loop) => loop.trip(command)));
    const rate = async (runOne) => {
      const start = performance.now();
      await Promise.all(
        envs.map(async (_, index) => {
          for (let i = 0; i < rounds; i++) await runOne(index);
        }),
      );
      return (count * rounds) / ((performance.now() - start) / 1000);
    };
    const rates = { floor: [], session: [] };
    for (let repeat = 0; repeat < 3; repeat++) {
      rates.floor.push(await rate((index) => loops[index].trip(command)));
      rates.session.push(await rate((index) => envs[index].exec(command)));
    }
    const best = (values) => Math.max(...values);
    console.log(
      `\nlocal: ${count} warm environments, ${rounds} commands each at once (best of 3); ${idleMb.toFixed(2)} MB of this process per idle environment`,
    );
    console.log(`  ${"raw bash read loops (floor)".padEnd(34)}${best(rates.floor).toFixed(0).padStart(7)} commands/s`);
    console.log(
      `  ${"env.exec (session)".padEnd(34)}${best(rates.session).toFixed(0).padStart(7)} commands/s   ${((100 * best(rates.session)) / best(rates.floor)).toFixed(0)}% of the floor`,
    );
  } finally {
    for (const loop of loops) loop.close();
    await Promise.all(envs.map((env) => env.dispose()));
  }
}
