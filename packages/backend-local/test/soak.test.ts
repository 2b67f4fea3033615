import { createEnv } from "@hermes/core";
import { soak } from "@hermes/testkit";
import { expect, it } from "vitest";
import { local } from "../src/index.js";

// The small version of `pnpm soak`: every command's output its own, no byte of a long stream lost, and this
// process's open descriptors and memory flat across the run.
it("runs 3,000 commands and streams 128 MiB through one environment with memory and descriptors flat", async () => {
  await using env = await createEnv({ backend: local(), usage: false });
  const report = await soak(env, { commands: 3000, outputBytes: 128 * 2 ** 20 });
  expect(report.streamed.bytes).toBe(128 * 2 ** 20);
  expect(report.end.fds).toBeLessThanOrEqual(report.start.fds + 2);
  expect(report.end.rssMb).toBeLessThan(report.start.rssMb + 64);
  expect(report.streamed.rssPeakMb).toBeLessThan(report.streamed.rssBeforeMb + 256);
}, 180_000);
