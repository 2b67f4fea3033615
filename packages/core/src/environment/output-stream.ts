import type { Readable } from "node:stream";

/** Above this many buffered bytes a reader that has started iterating pauses the process's output. */
const highWater = 256 * 1024;

/**
 * The `stdout`/`stderr` of a spawned process as an AsyncIterable of text. Once someone iterates, a slow
 * reader applies backpressure; until then output is buffered up to `limit` bytes (UTF-8, as
 * `maxOutputBytes` counts everywhere), oldest dropped,
 * so a handle nobody reads cannot grow without bound (its output is still kept, capped, for `wait()`).
 */
export class OutputStream implements AsyncIterable<string> {
  private readonly chunks: string[] = [];
  /** The UTF-8 size of each chunk, in step with `chunks`. */
  private readonly sizes: number[] = [];
  private buffered = 0;
  private ended = false;
  private iterating = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: Readable,
    private readonly limit: number,
  ) {}

  push(text: string): void {
    if (this.ended || text.length === 0) return;
    const size = Buffer.byteLength(text);
    this.chunks.push(text);
    this.sizes.push(size);
    this.buffered += size;
    if (!this.iterating) {
      while (this.buffered > this.limit && this.chunks.length > 0) this.take();
    } else if (this.buffered > highWater) {
      this.source.pause();
    }
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    if (this.iterating) throw new Error("this output stream is already being read");
    this.iterating = true;
    return {
      next: async () => {
        for (;;) {
          const chunk = this.take();
          if (chunk !== undefined) {
            if (this.buffered < highWater / 2 && this.source.isPaused()) this.source.resume();
            return { value: chunk, done: false };
          }
          if (this.ended) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      },
      return: async () => {
        // The reader stopped: stop holding output for it and let the process run on.
        this.iterating = false;
        this.chunks.length = 0;
        this.sizes.length = 0;
        this.buffered = 0;
        if (this.source.isPaused()) this.source.resume();
        return { value: undefined, done: true };
      },
    };
  }

  private take(): string | undefined {
    this.buffered -= this.sizes.shift() ?? 0;
    return this.chunks.shift();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
