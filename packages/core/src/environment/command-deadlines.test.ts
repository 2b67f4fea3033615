import { describe, expect, it, vi } from "vitest";
import { afterDeadline } from "./command-deadlines.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Timers that keep the process alive. */
const refTimers = () => process.getActiveResourcesInfo().filter((type) => type === "Timeout").length;

describe("afterDeadline", () => {
  it("runs an expiry once its time has passed, not before, and never once cancelled", async () => {
    const kept = vi.fn();
    const cancelled = vi.fn();
    afterDeadline(60, kept);
    afterDeadline(60, cancelled).cancel();
    await sleep(20);
    expect(kept).not.toHaveBeenCalled();
    await sleep(100);
    expect(kept).toHaveBeenCalledOnce();
    expect(cancelled).not.toHaveBeenCalled();
  });

  it("runs a shorter limit added after a longer one at its own time", async () => {
    const long = vi.fn();
    const short = vi.fn();
    const longDeadline = afterDeadline(10_000, long);
    afterDeadline(30, short);
    await sleep(120);
    expect(short).toHaveBeenCalledOnce();
    expect(long).not.toHaveBeenCalled();
    longDeadline.cancel();
  });

  it("expires the live limits behind many ended ones, and only those", async () => {
    const first = vi.fn();
    const ended = vi.fn();
    const last = vi.fn();
    afterDeadline(80, first);
    // Far more ended entries behind a running one than a queue keeps before it is compacted.
    for (let i = 0; i < 5000; i++) afterDeadline(80, ended).cancel();
    afterDeadline(80, last);
    await sleep(200);
    expect(first).toHaveBeenCalledOnce();
    expect(last).toHaveBeenCalledOnce();
    expect(ended).not.toHaveBeenCalled();
  });

  it("keeps the process alive only while a limit runs", async () => {
    await sleep(150);
    const before = refTimers();
    const deadline = afterDeadline(180_000, () => {});
    expect(refTimers()).toBe(before + 1);
    deadline.cancel();
    expect(refTimers()).toBe(before);
    // A new limit while the timer still waits for the ended one's time takes it back.
    const next = afterDeadline(200_000, () => {});
    expect(refTimers()).toBe(before + 1);
    next.cancel();
    expect(refTimers()).toBe(before);
  });
});
