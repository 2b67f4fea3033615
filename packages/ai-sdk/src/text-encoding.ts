/** Bytes to text in the encoding asked for (default UTF-8), as `TextDecoder` names them. */
export function decodeText(bytes: Uint8Array, encoding = "utf-8"): string {
  return new TextDecoder(encoding).decode(bytes);
}

/** Text to bytes: UTF-8, or the encodings Node's Buffer writes (`latin1`, `utf16le`, ...); any other is a clear error. */
export function encodeText(text: string, encoding = "utf-8"): Uint8Array {
  const name = encoding.toLowerCase();
  if (name === "utf-8" || name === "utf8") return new TextEncoder().encode(text);
  if (!Buffer.isEncoding(name)) throw new TypeError(`cannot write text as "${encoding}": use utf-8, latin1, utf16le, ascii or base64`);
  return new Uint8Array(Buffer.from(text, name));
}

/** Lines `start` to `end` (1-based, inclusive; an end past the last line reads to the end), with their newlines. */
export function linesOf(text: string, start: number, end: number | undefined): string {
  const lines = text.split(/(?<=\n)/);
  return lines.slice(Math.max(0, start - 1), end === undefined ? undefined : Math.max(0, end)).join("");
}
