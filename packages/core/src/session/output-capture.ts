import { StringDecoder } from "node:string_decoder";

/** Share of the kept bytes given to the head; the tail gets the rest, as errors tend to come last. */
const headShare = 0.4;

/**
 * Keeps at most `maxBytes` of one output stream: the first 40% and the last 60%, so memory stays bounded
 * however much a command prints. Also decodes UTF-8 incrementally for streaming callbacks.
 */
export class OutputCapture {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly decoder: StringDecoder | undefined;

  constructor(
    maxBytes: number,
    private readonly onText?: (text: string) => void,
  ) {
    this.headLimit = Math.floor(maxBytes * headShare);
    this.tailLimit = maxBytes - this.headLimit;
    this.decoder = onText ? new StringDecoder("utf8") : undefined;
  }

  get totalBytes(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.headLimit + this.tailLimit;
  }

  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.total += bytes.length;
    if (this.decoder && this.onText) {
      const text = this.decoder.write(bytes);
      if (text) this.onText(text);
    }
    let rest = bytes;
    if (this.headBytes < this.headLimit) {
      const taken = rest.subarray(0, this.headLimit - this.headBytes);
      this.head.push(Buffer.from(taken));
      this.headBytes += taken.length;
      rest = rest.subarray(taken.length);
    }
    if (rest.length === 0 || this.tailLimit === 0) return;
    this.tail.push(rest.length > this.tailLimit ? Buffer.from(rest.subarray(rest.length - this.tailLimit)) : rest);
    this.tailBytes += Math.min(rest.length, this.tailLimit);
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0]?.length ?? 0) >= this.tailLimit) {
      this.tailBytes -= this.tail.shift()?.length ?? 0;
    }
  }

  /** Flushes the streaming decoder (a trailing partial character) to the callback. */
  end(): void {
    const text = this.decoder?.end();
    if (text && this.onText) this.onText(text);
  }

  /** The kept output as text; a truncated middle is replaced by a one-line notice. */
  text(): string {
    if (!this.truncated) {
      // Most commands print nothing, or one chunk: no copy then.
      const chunks = this.tail.length === 0 ? this.head : [...this.head, ...this.tail];
      if (chunks.length < 2) return chunks[0]?.toString("utf8") ?? "";
      return Buffer.concat(chunks).toString("utf8");
    }
    const head = Buffer.concat(this.head, this.headBytes);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailLimit) tail = tail.subarray(tail.length - this.tailLimit);
    const omitted = this.total - head.length - tail.length;
    return `${decodeWhole(head, "end")}\n[... ${omitted} bytes omitted ...]\n${decodeWhole(tail, "start")}`;
  }
}

/** Decodes bytes cut out of a longer stream, dropping a character split at the cut. */
function decodeWhole(bytes: Buffer, cutAt: "start" | "end"): string {
  if (cutAt === "start") {
    let start = 0;
    while (start < Math.min(3, bytes.length) && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
    return bytes.subarray(start).toString("utf8");
  }
  let end = bytes.length;
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (needed > back) end = bytes.length - back;
    break;
  }
  return bytes.subarray(0, end).toString("utf8");
}
