const empty = Buffer.alloc(0);

/**
 * Cuts a byte stream at a marker: bytes before it go to `sink`, then `onMarker` runs and may set the next
 * marker, and the bytes after it continue from there. Only a chunk's last bytes that could begin the
 * marker are held back until the next chunk tells; markers begin with a rare byte, so that is rare.
 */
export class MarkerSplitter {
  private pending: Buffer = empty;
  private marker: Buffer | null = null;
  private sink: (bytes: Buffer) => void;
  private onMarker: () => void = () => {};

  constructor(sink: (bytes: Buffer) => void) {
    this.sink = sink;
  }

  /** Sends bytes to `sink` until `marker`, then calls `onMarker`. With a null marker everything goes to `sink`. */
  expect(marker: Buffer | null, sink: (bytes: Buffer) => void, onMarker: () => void = () => {}): void {
    this.marker = marker;
    this.sink = sink;
    this.onMarker = onMarker;
  }

  push(chunk: Buffer): void {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = empty;
    while (data.length > 0) {
      const marker = this.marker;
      if (!marker) {
        this.sink(data);
        return;
      }
      const found = data.indexOf(marker);
      if (found === -1) {
        const keep = partialMarkerLength(data, marker);
        if (keep < data.length) this.sink(data.subarray(0, data.length - keep));
        if (keep > 0) this.pending = Buffer.from(data.subarray(data.length - keep));
        return;
      }
      if (found > 0) this.sink(data.subarray(0, found));
      data = data.subarray(found + marker.length);
      this.marker = null;
      this.onMarker();
    }
  }

  /** Hands out what was held back (the stream ended without the marker). */
  flush(): void {
    const rest = this.pending;
    this.pending = empty;
    if (rest.length > 0) this.sink(rest);
  }
}

/** Length of the longest suffix of `data` that is a proper prefix of `marker`. */
function partialMarkerLength(data: Buffer, marker: Buffer): number {
  const first = marker[0] as number;
  let start = data.indexOf(first, Math.max(0, data.length - marker.length + 1));
  while (start !== -1) {
    const length = data.length - start;
    if (data.compare(marker, 0, length, start) === 0) return length;
    start = data.indexOf(first, start + 1);
  }
  return 0;
}
