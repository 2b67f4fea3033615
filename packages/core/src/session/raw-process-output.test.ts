import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import type { TargetProcess } from "../backend/target-process.js";
import { collectProcessOutput } from "./raw-process-output.js";

function fakeProcess(exitAfterMs: number): TargetProcess & { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  return {
    pid: 1,
    stdin: null,
    stdout,
    stderr,
    exited: sleep(exitAfterMs).then(() => ({ code: 0, signal: null })),
    kill: () => {},
  } as unknown as TargetProcess & { stdout: PassThrough; stderr: PassThrough };
}

it("keeps output read just after an exit that came long after the streams were opened (a busy event loop)", async () => {
  const process = fakeProcess(300);
  const seen: string[] = [];
  const collected = collectProcessOutput(process, { stdout: (bytes) => seen.push(bytes.toString()), stderr: () => {} });
  await process.exited;
  // Written before the exit, read only now.
  process.stdout.write("late but whole\n");
  await sleep(20);
  process.stdout.end();
  process.stderr.end();
  expect(await collected).toEqual({ code: 0, signal: null });
  expect(seen.join("")).toBe("late but whole\n");
});

it("stops waiting for a stream held open by a background child once it has been idle after the exit", async () => {
  const process = fakeProcess(10);
  process.stderr.end();
  const began = Date.now();
  await collectProcessOutput(process, { stdout: () => {}, stderr: () => {} });
  expect(process.stdout.destroyed).toBe(true);
  expect(Date.now() - began).toBeGreaterThanOrEqual(200);
});
