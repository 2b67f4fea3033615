// Timing helpers shared by the benchmarks: every figure is compared with a baseline measured in the same run.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Readable, Writable } from "node:stream";

/**
 * Runs each candidate `rounds` times in interleaved blocks (so drift hits all alike); returns ms samples per
 * name. `settleMs` pauses between blocks, for baselines that leave work behind them (a Slurm step's teardown).
 */
export async function sampleInterleaved(candidates, { iterations, warmup = 20, block = 25, settleMs = 0 }) {
  const samples = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
  for (const run of Object.values(candidates)) for (let i = 0; i < warmup; i++) await run();
  for (let done = 0; done < iterations; done += block) {
    for (const [name, run] of Object.entries(candidates)) {
      if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
      for (let i = 0; i < Math.min(block, iterations - done); i++) {
        const start = performance.now();
        await run();
        samples[name].push(performance.now() - start);
      }
    }
  }
  return samples;
}

/**
 * Runs `run` `calls` times before timing: V8 compiles a hot path fully only after some thousand calls, as in
 * any host that runs commands all day. Only the SDK's own rows need it; the others spend their time elsewhere.
 */
export async function warmJit(run, calls = 2000) {
  for (let i = 0; i < calls; i++) await run();
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Samples the process's RSS while `work` runs; returns the work's value and the peak growth in bytes. */
export async function withPeakRss(work) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, rssGrowth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

export function formatMs(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

/** Prints a table of timing rows: name, median, p95, and the baseline's median divided by the row's. */
export function printTimings(title, samples, baseline) {
  const baseMedian = percentile(samples[baseline], 50);
  console.log(`\n${title}`);
  console.log(`  ${"".padEnd(34)}${"median".padStart(10)}${"p95".padStart(10)}   vs ${baseline}`);
  for (const [name, values] of Object.entries(samples)) {
    const median = percentile(values, 50);
    const ratio =
      name === baseline ? "1.00x (baseline)" : `${(baseMedian / median).toFixed(2)}x ${median < baseMedian ? "faster" : "slower"}`;
    console.log(`  ${name.padEnd(34)}${formatMs(median).padStart(10)}${formatMs(percentile(values, 95)).padStart(10)}   ${ratio}`);
  }
}

/** The shell command that writes `megabytes` MiB to stdout: what the throughput rows stream. */
export const outputScript = (megabytes) => `head -c ${megabytes * 1024 * 1024} /dev/zero | tr '\\0' x`;

/**
 * Runs each row once; a row gets a callback for every chunk of output (it counts the characters) and
 * resolves when the command is done. Prints MB/s and the peak RSS growth of this process.
 */
export async function printThroughput(title, megabytes, rows) {
  console.log(`\n${title}`);
  for (const [name, run] of Object.entries(rows)) {
    let bytes = 0;
    const start = performance.now();
    const { rssGrowth } = await withPeakRss(() => run((chunk) => (bytes += chunk.length)));
    const seconds = (performance.now() - start) / 1000;
    if (bytes !== megabytes * 1024 * 1024) throw new Error(`${name} delivered ${bytes} bytes, expected ${megabytes} MiB`);
    const rate = `${(megabytes / seconds).toFixed(0)} MB/s`;
    console.log(`  ${name.padEnd(34)}${rate.padStart(10)}   peak RSS growth ${(rssGrowth / 1024 / 1024).toFixed(1)} MB`);
  }
}

/** A throughput row that streams the stdout of a program started per run (the baseline's way). */
export function streamFromProgram(file, args) {
  return (onData) =>
    new Promise((resolve, reject) => {
      const child = spawn(file, args, { stdio: ["ignore", "pipe", "ignore"] });
      child.stdout.on("data", onData);
      child.on("error", reject);
      child.on("close", resolve);
    });
}

/**
 * The floor of a transport: a bare bash read loop over its stdin/stdout, no protocol. Each round trip writes
 * one command line and waits for a marker back (4 bytes: Daytona's SDK holds back output shorter than 3 bytes,
 * which could be the start of its stream prefix). `process` is any started `bash -c RAW_LOOP` with
 * stdin and stdout streams (a local pipe, a docker exec stream, an ssh channel).
 */
export const rawLoop = `while IFS= read -r __l; do eval "$__l"; printf '\\036\\036\\036\\n'; done`;

export function rawRoundTrips({ stdin, stdout }) {
  let waiting;
  let last = 0;
  stdout.on("data", (chunk) => {
    // The marker ends what the loop writes (a docker stream adds an 8-byte frame header before it); a
    // vendor's log stream may split it across chunks.
    if (chunk.length === 0) return;
    const before = chunk.length >= 2 ? chunk[chunk.length - 2] : last;
    last = chunk[chunk.length - 1];
    if (before === 0x1e && last === 0x0a) waiting?.();
  });
  return (command = "true") =>
    new Promise((resolve) => {
      waiting = resolve;
      stdin.write(`${command}\n`);
    });
}

/**
 * The floor through a backend's own transport: an instance of `backend` made directly (no core session),
 * with the raw loop started by its `start()`, which is what the session's shell runs on. For backends whose
 * streams are a vendor's (a cloud sandbox's exec or command log), where no library-level loop exists.
 */
export async function transportFloor(backend) {
  const environmentId = `bench-floor-${randomUUID()}`;
  const instance = await backend.create({
    environmentId,
    backendName: backend.type,
    labels: { "hermes.owner": `bench-${process.pid}`, "hermes.env-id": environmentId, "hermes.created": new Date().toISOString() },
    warn() {},
    progress() {},
  });
  const loop = await instance.start({ argv: ["bash", "--noprofile", "--norc", "-c", rawLoop], stdin: "pipe" });
  const stdin = loop.stdin instanceof Writable ? loop.stdin : Writable.fromWeb(loop.stdin);
  const stdout = loop.stdout instanceof Readable ? loop.stdout : Readable.fromWeb(loop.stdout);
  const trip = rawRoundTrips({ stdin, stdout });
  await trip("true");
  return {
    trip,
    async close() {
      stdin.end();
      await loop.wait().catch(() => {});
      await instance.dispose();
    },
  };
}

/** CPU time of this process per call of `run`, in ms, over `count` calls. */
async function cpuPerCall(run, count) {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/**
 * Prints each row's median (from `samples`) as a ratio to the floor's, and this process's CPU per call of
 * each row, measured here over `count` more calls.
 */
export async function printFloorRatios(title, { rows, samples, floor, count }) {
  const cpu = {};
  for (const [name, run] of Object.entries(rows)) cpu[name] = await cpuPerCall(run, count);
  const floorMedian = percentile(samples[floor], 50);
  console.log(`\n${title}`);
  console.log(`  ${"".padEnd(34)}${"median".padStart(10)}   ${"vs floor".padEnd(10)}${"host CPU per call".padStart(18)}`);
  for (const [name, values] of Object.entries(samples)) {
    const median = percentile(values, 50);
    const ratio = name === floor ? "1.00x" : `${(median / floorMedian).toFixed(2)}x`;
    console.log(`  ${name.padEnd(34)}${formatMs(median).padStart(10)}   ${ratio.padEnd(10)}${formatMs(cpu[name]).padStart(18)}`);
  }
}
