import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { OutputStream } from "./output-stream.js";

async function readAll(stream: OutputStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk;
  return text;
}

describe("OutputStream", () => {
  it("keeps at most `limit` bytes of UTF-8 for a reader that comes late, oldest dropped", async () => {
    const stream = new OutputStream(new PassThrough(), 100);
    // 60 chunks of 4 bytes each ("é" is 2 bytes in UTF-8 but 1 UTF-16 unit).
    for (let index = 0; index < 60; index++) stream.push(`é${index % 10}${index % 10}`);
    stream.end();
    const kept = await readAll(stream);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(100);
    expect(Buffer.byteLength(kept)).toBeGreaterThan(90);
    expect(kept.endsWith("é99")).toBe(true);
  });

  it("pauses its source above the high-water mark while a reader is behind, and resumes it as it reads", async () => {
    const source = new PassThrough();
    const stream = new OutputStream(source, 1024);
    const iterator = stream[Symbol.asyncIterator]();
    stream.push("x".repeat(300 * 1024));
    expect(source.isPaused()).toBe(true);
    await iterator.next();
    expect(source.isPaused()).toBe(false);
  });
});
