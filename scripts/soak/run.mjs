// `pnpm soak`: 100,000 commands through one local environment and 1 GiB of output through one command,
// with this process's memory and open descriptors sampled; fails when either grows. SOAK_COMMANDS and
// SOAK_OUTPUT_MB change the sizes. (`@hermes/testkit/soak`, which loads no vitest). A smaller run of the same is in `pnpm test`
// (packages/backend-local/test/soak.test.ts). Load (200 environments at once) is not in it yet.
import { local } from "@hermes/backend-local";
import { createEnv } from "@hermes/core";
import { soak } from "@hermes/testkit/soak";

const commands = Number(process.env.SOAK_COMMANDS ?? 100_000);
const outputBytes = Number(process.env.SOAK_OUTPUT_MB ?? 1024) * 2 ** 20;
const env = await createEnv({ backend: local(), usage: false });
try {
  console.log(`soak: ${commands} commands through one local environment, then ${outputBytes / 2 ** 20} MiB through one command`);
  const report = await soak(env, { commands, outputBytes });
  const row = (label, sample) =>
    `  ${label.padEnd(28)} rss ${sample.rssMb.toFixed(1).padStart(7)} MB  heap ${sample.heapMb.toFixed(1).padStart(6)} MB  fds ${sample.fds}`;
  console.log(`  ${report.commandsPerSecond.toFixed(0)} commands/s`);
  console.log(row(`after ${report.start.commands} commands`, report.start));
  console.log(row(`after ${report.end.commands} commands`, report.end));
  const { streamed } = report;
  console.log(
    `  streamed ${(streamed.bytes / 2 ** 20).toFixed(0)} MiB in ${streamed.seconds.toFixed(1)} s (${(streamed.bytes / 2 ** 20 / streamed.seconds).toFixed(0)} MiB/s); rss ${streamed.rssBeforeMb.toFixed(0)} MB before, ${streamed.rssPeakMb.toFixed(0)} MB at most`,
  );
  const problems = [];
  if (report.end.fds > report.start.fds + 2) problems.push(`open descriptors grew from ${report.start.fds} to ${report.end.fds}`);
  if (report.end.rssMb > report.start.rssMb + 64)
    problems.push(`memory grew from ${report.start.rssMb.toFixed(0)} to ${report.end.rssMb.toFixed(0)} MB`);
  if (streamed.rssPeakMb > streamed.rssBeforeMb + 256) problems.push(`streaming took memory up to ${streamed.rssPeakMb.toFixed(0)} MB`);
  if (problems.length > 0) {
    console.error(`soak: ${problems.join("; ")}`);
    process.exitCode = 1;
  } else console.log("soak: flat");
} finally {
  await env.dispose();
}
