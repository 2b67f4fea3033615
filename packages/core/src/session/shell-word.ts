/**
 * Decodes one word of bash source, as bash itself prints them in `export -p`, `trap -p` and `printf %q`:
 * plain text with backslash escapes, `'single'`, `"double"` and `$'ANSI-C'` quoted parts, in any sequence.
 * Bytes that are not UTF-8 (bash prints them as `$'\377'`) decode to U+FFFD, as everywhere else in the SDK;
 * keep the word itself where the exact bytes matter (it is valid bash that recreates them).
 */
export function decodeShellWord(word: string): string {
  const bytes: number[] = [];
  let index = 0;
  while (index < word.length) {
    const char = word[index] as string;
    if (char === "'") {
      const end = word.indexOf("'", index + 1);
      const stop = end === -1 ? word.length : end;
      pushText(bytes, word.slice(index + 1, stop));
      index = stop + 1;
    } else if (char === "$" && word[index + 1] === "'") {
      index = decodeAnsiC(word, index + 2, bytes);
    } else if (char === '"') {
      index = decodeDoubleQuoted(word, index + 1, bytes);
    } else if (char === "\\" && index + 1 < word.length) {
      index = pushCodePoint(bytes, word, index + 1);
    } else {
      index = pushCodePoint(bytes, word, index);
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

function pushText(bytes: number[], text: string): void {
  for (const byte of encoder.encode(text)) bytes.push(byte);
}

/** Pushes the code point at `index` (a surrogate pair stays whole); returns the index after it. */
function pushCodePoint(bytes: number[], text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 0x80) {
    bytes.push(code);
    return index + 1;
  }
  const length = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  pushText(bytes, text.slice(index, index + length));
  return index + length;
}

/** Inside double quotes bash escapes exactly `"`, `\`, `$` and backquote. Returns the index after the closing quote. */
function decodeDoubleQuoted(word: string, start: number, bytes: number[]): number {
  let index = start;
  while (index < word.length && word[index] !== '"') {
    if (word[index] === "\\" && '"\\$`'.includes(word[index + 1] ?? "")) index++;
    index = pushCodePoint(bytes, word, index);
  }
  return index + 1;
}

const simpleEscapes: Record<string, number> = {
  a: 7,
  b: 8,
  e: 27,
  E: 27,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
  "'": 39,
  '"': 34,
  "?": 63,
};

/** Decodes the body of a `$'...'` part to bytes (bash escapes raw bytes in octal). Returns the index after it. */
function decodeAnsiC(word: string, start: number, bytes: number[]): number {
  let index = start;
  while (index < word.length && word[index] !== "'") {
    if (word[index] !== "\\") {
      index = pushCodePoint(bytes, word, index);
      continue;
    }
    const next = word[index + 1] ?? "";
    index += 2;
    const simple = simpleEscapes[next];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (next >= "0" && next <= "7") {
      const digits = /^[0-7]{1,3}/.exec(word.slice(index - 1))?.[0] ?? "0";
      bytes.push(Number.parseInt(digits, 8) & 0xff);
      index += digits.length - 1;
    } else if (next === "x") {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(word.slice(index))?.[0];
      if (digits) {
        bytes.push(Number.parseInt(digits, 16));
        index += digits.length;
      } else bytes.push(92, 120);
    } else if (next === "u" || next === "U") {
      const digits = new RegExp(`^[0-9a-fA-F]{1,${next === "u" ? 4 : 8}}`).exec(word.slice(index))?.[0];
      if (digits) {
        pushText(bytes, String.fromCodePoint(Number.parseInt(digits, 16)));
        index += digits.length;
      } else bytes.push(92, next.charCodeAt(0));
    } else if (next === "c") {
      bytes.push((word[index] ?? "").toUpperCase().charCodeAt(0) & 0x1f);
      index++;
    } else {
      bytes.push(92);
      pushText(bytes, next);
    }
  }
  return index + 1;
}
