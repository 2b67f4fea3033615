import { readdirSync } from "node:fs";
import type { ExecutionEnvironment } from "@hermes/core";

/** This process's resident memory, JavaScript heap and open file descriptors at one moment. */
export interface ResourceSample {
  /** Commands run so far. */
  commands: number;
  rssMb: number;
  heapMb: number;
  fds: number;
}

export interface SoakReport {
  commands: number;
  commandsPerSecond: number;
  /** After the warm-up (the first tenth of the commands), and at the end. */
  start: ResourceSample;
  end: ResourceSample;
  samples: ResourceSample[];
  /** Bytes one command streamed, as counted on its `onStdout`, and the memory around it. */
  streamed: { bytes: number; seconds: number; rssBeforeMb: number; rssPeakMb: number };
}

export function sampleResources(commands: number): ResourceSample {
  const memory = process.memoryUsage();
  return { commands, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20, fds: openDescriptors() };
}

function openDescriptors(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return -1;
  }
}

/**
 * Runs `commands` commands through one environment, each checked against what it was sent (its own
 * output, never another's), sampling memory and descriptors, then streams `outputBytes` through one
 * command and counts them. Throws on the first wrong output or lost byte.
 */
export async function soak(
  env: ExecutionEnvironment,
  options: { commands: number; outputBytes: number; sampleEvery?: number },
): Promise<SoakReport> {
  const every = options.sampleEvery ?? Math.max(1, Math.floor(options.commands / 20));
  const warmup = Math.floor(options.commands / 10);
  const samples: ResourceSample[] = [];
  let start: ResourceSample | undefined;
  const began = performance.now();
  for (let i = 0; i < options.commands; i++) {
    const result = await env.exec(`echo ${i}`);
    if (result.stdout !== `${i}\n` || result.exitCode !== 0)
      throw new Error(`command ${i} gave ${JSON.stringify(result.stdout)} (exit ${result.exitCode})`);
    if (i === warmup) {
      globalThis.gc?.();
      start = sampleResources(i);
    }
    if (i % every === 0) samples.push(sampleResources(i));
  }
  const seconds = (performance.now() - began) / 1000;
  globalThis.gc?.();
  const end = sampleResources(options.commands);

  const rssBeforeMb = sampleResources(options.commands).rssMb;
  let rssPeakMb = rssBeforeMb;
  let bytes = 0;
  const streamBegan = performance.now();
  const timer = setInterval(() => {
    rssPeakMb = Math.max(rssPeakMb, process.memoryUsage().rss / 2 ** 20);
  }, 50);
  try {
    const result = await env.exec(`head -c ${options.outputBytes} /dev/zero | tr '\\000' x`, {
      timeoutMs: 30 * 60_000,
      // Counted as it streams; the result keeps only its head and tail.
      onStdout: (chunk) => {
        bytes += chunk.length;
      },
      maxOutputBytes: 64 * 1024,
    });
    if (result.exitCode !== 0) throw new Error(`the streaming command exited ${result.exitCode}: ${result.stderr}`);
  } finally {
    clearInterval(timer);
  }
  if (bytes !== options.outputBytes) throw new Error(`streamed ${bytes} bytes of ${options.outputBytes}`);
  return {
    commands: options.commands,
    commandsPerSecond: options.commands / seconds,
    start: start ?? samples[0] ?? end,
    end,
    samples,
    streamed: { bytes, seconds: (performance.now() - streamBegan) / 1000, rssBeforeMb, rssPeakMb },
  };
}
