import type { Readable, Writable } from "node:stream";

const headerBytes = 8;

/**
 * Splits the engine's multiplexed attach stream (frames of an 8-byte header: stream type, 3 zero bytes,
 * a big-endian payload length) into stdout and stderr, with backpressure: when a reader falls behind,
 * the engine's socket is paused, so output is never buffered without bound.
 */
export function demuxFrames(source: Readable, stdout: Writable, stderr: Writable): void {
  let pending: Buffer = Buffer.alloc(0);
  let frameStream = 0;
  let frameLeft = 0;
  const waitFor = (target: Writable) => {
    source.pause();
    target.once("drain", () => source.resume());
  };
  source.on("data", (chunk: Buffer) => {
    let data: Buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    let blocked: Writable | undefined;
    while (data.length > 0) {
      if (frameLeft === 0) {
        if (data.length < headerBytes) {
          pending = data;
          break;
        }
        frameStream = data[0] ?? 1;
        frameLeft = data.readUInt32BE(4);
        data = data.subarray(headerBytes);
        continue;
      }
      const payload = data.subarray(0, frameLeft);
      frameLeft -= payload.length;
      data = data.subarray(payload.length);
      const target = frameStream === 2 ? stderr : stdout;
      if (!target.write(payload)) blocked = target;
    }
    if (blocked) waitFor(blocked);
  });
}
