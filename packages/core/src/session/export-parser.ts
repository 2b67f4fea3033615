/**
 * Parses the output of bash's `export -p` into name -> value (null for a variable exported without a value).
 * Bash prints `declare -x NAME="value"`, or `declare -x NAME=$'...'` (ANSI-C quoting) when the value holds
 * control characters, so both quotings are decoded here. Arrays cannot be exported and are skipped.
 */
export function parseExportOutput(text: string): Map<string, string | null> {
  const variables = new Map<string, string | null>();
  let position = 0;
  while (position < text.length) {
    const lineEnd = findDeclarationEnd(text, position);
    const declaration = text.slice(position, lineEnd);
    position = lineEnd + 1;
    const parsed = parseDeclaration(declaration);
    if (parsed) variables.set(parsed.name, parsed.value);
  }
  return variables;
}

const declarationHead = /^declare -([A-Za-z]+) ([A-Za-z_][A-Za-z0-9_]*)(=?)/;

function parseDeclaration(declaration: string): { name: string; value: string | null } | undefined {
  const head = declarationHead.exec(declaration);
  if (!head) return undefined;
  const [matched, flags = "", name = "", equals] = head;
  if (flags.includes("a") || flags.includes("A")) return undefined;
  if (!equals) return { name, value: null };
  const quoted = declaration.slice(matched.length);
  if (quoted.startsWith("$'")) return { name, value: decodeAnsiC(quoted.slice(2, -1)) };
  if (quoted.startsWith('"')) return { name, value: decodeDoubleQuoted(quoted.slice(1, -1)) };
  return { name, value: quoted };
}

/** Index of the newline that ends the declaration starting at `start` (newlines inside quotes belong to the value). */
function findDeclarationEnd(text: string, start: number): number {
  const equals = text.indexOf("=", start);
  const newline = text.indexOf("\n", start);
  if (newline === -1) return text.length;
  if (equals === -1 || equals > newline) return newline;
  const opening = text[equals + 1] === "$" ? equals + 2 : equals + 1;
  const quote = text[opening];
  if (quote !== '"' && quote !== "'") return newline;
  for (let index = opening + 1; index < text.length; index++) {
    const char = text[index];
    if (char === "\\") index++;
    else if (char === quote) {
      const end = text.indexOf("\n", index);
      return end === -1 ? text.length : end;
    }
  }
  return text.length;
}

function decodeDoubleQuoted(body: string): string {
  // Inside double quotes bash escapes exactly `"`, `\`, `$` and backquote.
  return body.replace(/\\([\\"$`])/g, "$1");
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

/** Decodes the body of a `$'...'` string to bytes, then UTF-8 (bash escapes raw bytes in octal). */
function decodeAnsiC(body: string): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let index = 0; index < body.length; index++) {
    const char = body[index] as string;
    if (char !== "\\") {
      const code = char.charCodeAt(0);
      if (code < 0x80) bytes.push(code);
      else {
        // Keep surrogate pairs together.
        const pointLength = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
        bytes.push(...encoder.encode(body.slice(index, index + pointLength)));
        index += pointLength - 1;
      }
      continue;
    }
    const next = body[++index] ?? "";
    const simple = simpleEscapes[next];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (next >= "0" && next <= "7") {
      const digits = /^[0-7]{1,3}/.exec(body.slice(index))?.[0] ?? "0";
      bytes.push(Number.parseInt(digits, 8) & 0xff);
      index += digits.length - 1;
    } else if (next === "x") {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(body.slice(index + 1))?.[0];
      if (digits) {
        bytes.push(Number.parseInt(digits, 16));
        index += digits.length;
      } else bytes.push(92, 120);
    } else if (next === "u" || next === "U") {
      const digits = new RegExp(`^[0-9a-fA-F]{1,${next === "u" ? 4 : 8}}`).exec(body.slice(index + 1))?.[0];
      if (digits) {
        bytes.push(...encoder.encode(String.fromCodePoint(Number.parseInt(digits, 16))));
        index += digits.length;
      } else bytes.push(92, next.charCodeAt(0));
    } else if (next === "c") {
      const control = body[++index] ?? "";
      bytes.push(control.toUpperCase().charCodeAt(0) & 0x1f);
    } else {
      bytes.push(92, ...encoder.encode(next));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
