import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AckNudger } from "./ack-nudger.js";

/** A nudger on a stdin that records when filler was written, and a switch for "the command runs". */
function nudgerUnderTest() {
  const writes: number[] = [];
  const stdin = new Writable({
    write(_chunk, _encoding, callback) {
      writes.push(performance.now());
      callback();
    },
  });
  let running = false;
  const nudger = new AckNudger(stdin, () => running);
  return {
    nudger,
    writes,
    start() {
      running = true;
      nudger.commandStarted();
    },
    end() {
      running = false;
      nudger.commandEnded();
    },
    /** A command whose output all came in one round. */
    quickCommand() {
      this.start();
      nudger.output();
      this.end();
    },
  };
}

describe("AckNudger", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("right after a command, answers output once the round of reads is over, once per segment", async () => {
    const t = nudgerUnderTest();
    t.quickCommand();
    // Back to back: the peer delays its ACKs, so held output needs filler at once.
    t.start();
    t.nudger.output();
    t.nudger.output(); // the same segment's other stream, in the same round
    expect(t.writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.writes).toHaveLength(1);
    t.nudger.output(); // what the filler released
    await vi.advanceTimersByTimeAsync(0);
    expect(t.writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.writes).toHaveLength(2);
  });

  it("never answers output that ends the command in the same round", async () => {
    const t = nudgerUnderTest();
    t.quickCommand();
    t.quickCommand();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.writes).toHaveLength(0);
  });

  it("after a gap, answers only output that stalls (the peer acknowledges at once, and filler would cross)", async () => {
    const t = nudgerUnderTest();
    t.quickCommand();
    await vi.advanceTimersByTimeAsync(100);
    t.start();
    t.nudger.output();
    await vi.advanceTimersByTimeAsync(1);
    t.nudger.output(); // more came: the peer is acknowledging
    await vi.advanceTimersByTimeAsync(1.5);
    expect(t.writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.writes).toHaveLength(1);
    // Filler put the peer back in its delayed-ACK mode: from now on, at once.
    t.nudger.output();
    await vi.advanceTimersByTimeAsync(1);
    expect(t.writes).toHaveLength(2);
  });

  it("writes nothing once stdin is closed", async () => {
    const t = nudgerUnderTest();
    t.quickCommand();
    t.start();
    (t.nudger as unknown as { stdin: Writable }).stdin.end();
    t.nudger.output();
    await vi.advanceTimersByTimeAsync(5);
    expect(t.writes).toHaveLength(0);
  });
});
