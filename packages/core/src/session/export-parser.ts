/**
 * Parses the output of bash's `export -p` into name -> the value as bash printed it (a bash word such as
 * `"a b"` or `$'\377'`), or null for a variable exported without a value. Keeping the word, not a decoded
 * string, carries every byte exactly into the next shell (`export NAME=<word>`); `decodeShellWord` gives the
 * text. Bash prints `declare -x NAME=...`, or `export NAME=...` in POSIX mode. Arrays cannot be exported
 * and are skipped.
 */
export function parseExportOutput(text: string): Map<string, string | null> {
  const variables = new Map<string, string | null>();
  let position = 0;
  while (position < text.length) {
    const lineEnd = findDeclarationEnd(text, position);
    const declaration = text.slice(position, lineEnd);
    position = lineEnd + 1;
    const head = declarationHead.exec(declaration);
    if (!head) continue;
    const [matched, flags = "", name = "", equals] = head;
    if (flags.includes("a") || flags.includes("A")) continue;
    variables.set(name, equals ? declaration.slice(matched.length) : null);
  }
  return variables;
}

const declarationHead = /^(?:declare -([A-Za-z]+)|export) ([A-Za-z_][A-Za-z0-9_]*)(=?)/;

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
