import { describe, expect, it } from "vitest";
import { OutputCapture } from "./output-capture.js";

describe("OutputCapture", () => {
  it("keeps everything up to the limit", () => {
    const capture = new OutputCapture(100);
    capture.push(Buffer.from("a".repeat(60)));
    capture.push(Buffer.from("b".repeat(40)));
    expect(capture.truncated).toBe(false);
    expect(capture.text()).toBe("a".repeat(60) + "b".repeat(40));
  });

  it("keeps the first 40% and the last 60% beyond it, and says how much was dropped", () => {
    const capture = new OutputCapture(1000);
    for (let index = 0; index < 100; index++) capture.push(Buffer.from(`${String(index).padStart(4, "0")}:${"x".repeat(94)}\n`));
    expect(capture.truncated).toBe(true);
    expect(capture.totalBytes).toBe(10_000);
    const text = capture.text();
    expect(text.startsWith("0000:")).toBe(true);
    expect(text.endsWith(`0099:${"x".repeat(94)}\n`)).toBe(true);
    expect(text).toContain("\n[... 9000 bytes omitted ...]\n");
    expect(Buffer.byteLength(text)).toBeLessThan(1100);
  });

  it("holds memory to the limit whatever the volume", () => {
    const capture = new OutputCapture(64 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let index = 0; index < 2000; index++) capture.push(chunk);
    expect(capture.totalBytes).toBe(2000 * 64 * 1024);
    const kept = (capture as unknown as { tail: Buffer[]; head: Buffer[] }).tail.reduce((sum, piece) => sum + piece.length, 0);
    expect(kept).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  it("never splits a character at the cuts", () => {
    const capture = new OutputCapture(101);
    capture.push(Buffer.from("é".repeat(500)));
    const [head = "", tail = ""] = capture.text().split(/\n\[\.\.\. \d+ bytes omitted \.\.\.\]\n/);
    expect(head).toMatch(/^é+$/);
    expect(tail).toMatch(/^é+$/);
  });

  it("decodes streamed chunks without breaking characters split between them", () => {
    const seen: string[] = [];
    const capture = new OutputCapture(1000, (text) => seen.push(text));
    const bytes = Buffer.from("a😀b");
    for (const byte of bytes) capture.push(Buffer.from([byte]));
    capture.end();
    expect(seen.join("")).toBe("a😀b");
  });

  it("keeps nothing with a zero limit but still counts", () => {
    const capture = new OutputCapture(0);
    capture.push(Buffer.from("abc"));
    expect(capture.truncated).toBe(true);
    expect(capture.text()).toContain("3 bytes omitted");
  });
});
