/** Past this many words a brace expansion is not computed (the word is then unknown). */
const maxWords = 1024;

/**
 * Bash brace expansion of one word's text: `a{b,c}d`, nested `{a,b{c,d}}`, sequences `{1..10}`,
 * `{01..10}` (zero-padded), `{1..10..3}`, `{a..f}`. Quotes and backslashes protect what they enclose, and
 * stay in the result for the caller to remove. Returns null past `maxWords` results.
 */
export function expandBraces(text: string): string[] | null {
  const results: string[] = [];
  const expand = (word: string): boolean => {
    const brace = findBrace(word);
    if (!brace) {
      results.push(word);
      return results.length <= maxWords;
    }
    const prefix = word.slice(0, brace.open);
    const suffix = word.slice(brace.close + 1);
    for (const alternative of brace.alternatives) if (!expand(prefix + alternative + suffix)) return false;
    return true;
  };
  return expand(text) ? results : null;
}

interface Brace {
  open: number;
  close: number;
  alternatives: string[];
}

/** The first brace expression of the word that expands (an unmatched or single-item brace stays as text). */
function findBrace(word: string): Brace | undefined {
  for (let open = 0; open < word.length; open++) {
    const char = word[open];
    if (char === "\\") {
      open++;
      continue;
    }
    if (char === "'" || char === '"') {
      open = skipQuote(word, open);
      continue;
    }
    if (char === "$" && word[open + 1] === "{") {
      open = matching(word, open + 1) ?? open;
      continue;
    }
    if (char !== "{") continue;
    const close = matching(word, open);
    if (close === undefined) continue;
    const inner = word.slice(open + 1, close);
    const sequence = sequenceOf(inner);
    if (sequence) return { open, close, alternatives: sequence };
    const alternatives = splitTop(inner);
    if (alternatives.length > 1) return { open, close, alternatives };
  }
  return undefined;
}

function skipQuote(word: string, at: number): number {
  const quote = word[at];
  for (let index = at + 1; index < word.length; index++) {
    if (quote === '"' && word[index] === "\\") index++;
    else if (word[index] === quote) return index;
  }
  return word.length;
}

function matching(word: string, open: number): number | undefined {
  let depth = 0;
  for (let index = open; index < word.length; index++) {
    const char = word[index];
    if (char === "\\") index++;
    else if (char === "'" || char === '"') index = skipQuote(word, index);
    else if (char === "{") depth++;
    else if (char === "}" && --depth === 0) return index;
  }
  return undefined;
}

/** The comma-separated items at the top level of a brace's inside. */
function splitTop(inner: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < inner.length; index++) {
    const char = inner[index];
    if (char === "\\") index++;
    else if (char === "'" || char === '"') index = skipQuote(inner, index);
    else if (char === "{") depth++;
    else if (char === "}") depth--;
    else if (char === "," && depth === 0) {
      items.push(inner.slice(start, index));
      start = index + 1;
    }
  }
  items.push(inner.slice(start));
  return items;
}

function sequenceOf(inner: string): string[] | undefined {
  const numeric = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(inner);
  if (numeric) {
    const [from, to] = [Number(numeric[1]), Number(numeric[2])];
    const step = Math.abs(Number(numeric[3] ?? 1)) || 1;
    if (Math.abs(to - from) / step > maxWords) return undefined;
    const width = [numeric[1], numeric[2]].some((end) => /^-?0\d/.test(end as string))
      ? Math.max((numeric[1] as string).length, (numeric[2] as string).length)
      : 0;
    const values: string[] = [];
    for (let value = from; from <= to ? value <= to : value >= to; value += from <= to ? step : -step) {
      const digits = String(Math.abs(value)).padStart(width - (value < 0 ? 1 : 0), "0");
      values.push(value < 0 ? `-${digits}` : digits);
    }
    return values;
  }
  const letters = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/.exec(inner);
  if (letters) {
    const [from, to] = [(letters[1] as string).charCodeAt(0), (letters[2] as string).charCodeAt(0)];
    const step = Math.abs(Number(letters[3] ?? 1)) || 1;
    const values: string[] = [];
    for (let code = from; from <= to ? code <= to : code >= to; code += from <= to ? step : -step) values.push(String.fromCharCode(code));
    return values;
  }
  return undefined;
}
