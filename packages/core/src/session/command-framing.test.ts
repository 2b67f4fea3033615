import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { type FramedCommand, frameCommand } from "./command-framing.js";
import { MarkerSplitter } from "./marker-splitter.js";
import { OutputCapture } from "./output-capture.js";
import { markersFor } from "./session-trailer.js";

const nonce = "00112233aabbccdd";
const marker = markersFor(nonce);

/** A quick command framed on transports with (`inOrder`) and without ordered streams. */
function framed(inOrder: boolean) {
  const stdout = new MarkerSplitter(() => {});
  const stderr = new MarkerSplitter(() => {});
  const command: FramedCommand = {
    sinks: { stdout: new OutputCapture(1 << 20), stderr: new OutputCapture(1 << 20) },
    started: true,
    uptime: "",
    trailer: [],
  };
  const calls = { stdoutDone: 0, stderrDone: 0 };
  frameCommand({ stdout, stderr }, marker, command, {
    quick: true,
    stderrEndsWithStdout: inOrder,
    acknowledgePieces: false,
    onStray: () => {},
    onStdoutDone: () => calls.stdoutDone++,
    onStderrDone: () => calls.stderrDone++,
  });
  const done = Buffer.concat([marker.stdoutEnd, Buffer.from("0 q e1.5\0"), marker.done]);
  return { stdout, stderr, command, calls, done };
}

describe("frameCommand on a transport whose streams arrive in write order", () => {
  it("takes stderr read in the same loop turn as stdout's DONE, then ends stderr once", async () => {
    const { stdout, stderr, command, calls, done } = framed(true);
    stderr.push(Buffer.from("before "));
    stdout.push(Buffer.concat([Buffer.from("out"), done]));
    expect(calls).toEqual({ stdoutDone: 1, stderrDone: 0 });
    // Read after stdout's chunk in the same poll phase: still the command's.
    stderr.push(Buffer.from("after"));
    await nextTurn();
    expect(calls).toEqual({ stdoutDone: 1, stderrDone: 1 });
    expect(command.sinks.stdout.text()).toBe("out");
    expect(command.sinks.stderr.text()).toBe("before after");
  });

  it("cuts out an END marker that does come on stderr (an EXIT trap's) and ends stderr only once", async () => {
    const { stdout, stderr, command, calls, done } = framed(true);
    stderr.push(Buffer.concat([Buffer.from("err"), marker.stderrEnd]));
    expect(calls.stderrDone).toBe(1);
    stdout.push(done);
    await nextTurn();
    expect(calls).toEqual({ stdoutDone: 1, stderrDone: 1 });
    expect(command.sinks.stderr.text()).toBe("err");
  });

  it("elsewhere waits for stderr's own END, however long after stdout's DONE", async () => {
    const { stdout, stderr, command, calls, done } = framed(false);
    stdout.push(done);
    await nextTurn();
    expect(calls).toEqual({ stdoutDone: 1, stderrDone: 0 });
    stderr.push(Buffer.concat([Buffer.from("late"), marker.stderrEnd]));
    expect(calls.stderrDone).toBe(1);
    expect(command.sinks.stderr.text()).toBe("late");
  });
});
