/**
 * Bash glob patterns as the analysis keeps them: wildcard characters that came from quotes or escapes are
 * escaped with a backslash (`escapeGlob`), so only the word's real wildcards match. Supports `*`, `?`,
 * `[...]` (with `!`/`^` and classes), `**` across directories (globstar), and extglob `?(…) *(…) +(…) @(…)
 * !(…)`. Used to ask whether a pattern can name a protected path: extglob, globstar and nocaseglob are taken as
 * on, since an earlier command of the session may have set them.
 */

/** Escapes the characters a pattern would otherwise treat as wildcards. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]()|@!+]/g, "\\$&");
}

/** Whether `pattern` holds an unescaped wildcard. */
export function hasWildcard(pattern: string): boolean {
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === "\\") index++;
    else if (char === "*" || char === "?" || char === "[") return true;
    else if ("@!+".includes(char as string) && pattern[index + 1] === "(") return true;
  }
  return false;
}

/** The literal text of a pattern without wildcards (backslashes removed). */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/g, "$1");
}

/** The leading directory of a pattern before its first component with a wildcard: what it lists. */
export function globBase(pattern: string): string {
  const components = pattern.split("/");
  const first = components.findIndex((component) => hasWildcard(component));
  if (first === -1) return unescapeGlob(pattern);
  return unescapeGlob(first <= 0 ? "/" : components.slice(0, first).join("/") || "/");
}

const cache = new Map<string, RegExp>();

/** Whether the pattern can match the path (a dot-file only by a leading dot, as bash does; any case). */
export function globMatches(pattern: string, path: string): boolean {
  let regex = cache.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${translate(pattern)}$`, "i");
    if (cache.size > 500) cache.clear();
    cache.set(pattern, regex);
  }
  return regex.test(path);
}

/** fnmatch(3) without flags, as `find -name` uses it: `*` and `?` match any character, `/` and a leading dot too. */
export function fnmatchMatches(pattern: string, text: string): boolean {
  const source = translate(pattern)
    .replace(/\(\?!\\\.\)/g, "")
    .replace(/\[\^\/\]/g, "[\\s\\S]");
  return new RegExp(`^${source}$`).test(text);
}

function translate(pattern: string): string {
  let out = "";
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    const atStart = index === 0 || pattern[index - 1] === "/";
    if (char === "\\") {
      out += escapeRegex(pattern[++index] ?? "\\");
    } else if (char === "*" && pattern[index + 1] === "*" && atStart && (pattern[index + 2] === "/" || index + 2 === pattern.length)) {
      // globstar: any depth, including none.
      out += "(?:[^/.][^/]*(?:/[^/.][^/]*)*)?";
      index++;
      if (pattern[index + 1] === "/") {
        out += "/?";
        index++;
      }
    } else if ("?*+@!".includes(char) && pattern[index + 1] === "(") {
      const end = closingParen(pattern, index + 1);
      const alternatives = splitAlternatives(pattern.slice(index + 2, end))
        .map(translate)
        .join("|");
      const lead = atStart ? "(?!\\.)" : "";
      if (char === "?") out += `${lead}(?:${alternatives})?`;
      else if (char === "*") out += `${lead}(?:${alternatives})*`;
      else if (char === "+") out += `${lead}(?:${alternatives})+`;
      else if (char === "@") out += `${lead}(?:${alternatives})`;
      else out += `${lead}(?:(?!(?:${alternatives})(?:/|$))[^/]*)`;
      index = end;
    } else if (char === "*") {
      out += `${atStart ? "(?!\\.)" : ""}[^/]*`;
    } else if (char === "?") {
      out += `${atStart ? "(?!\\.)" : ""}[^/]`;
    } else if (char === "[") {
      const end = pattern.indexOf("]", index + 2);
      if (end === -1) out += "\\[";
      else {
        let set = pattern.slice(index + 1, end);
        const negated = set.startsWith("!") || set.startsWith("^");
        if (negated) set = set.slice(1);
        set = set.replace(/\[:(\w+):\]/g, (_, name: string) => classes[name] ?? "").replace(/\\/g, "\\\\");
        out += `[${negated ? "^/" : ""}${set}]`;
        index = end;
      }
    } else {
      out += escapeRegex(char);
    }
  }
  return out;
}

const classes: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n",
  punct: "!-/:-@[-`{-~",
  xdigit: "0-9a-fA-F",
};

function closingParen(pattern: string, open: number): number {
  let depth = 0;
  for (let index = open; index < pattern.length; index++) {
    if (pattern[index] === "\\") index++;
    else if (pattern[index] === "(") depth++;
    else if (pattern[index] === ")" && --depth === 0) return index;
  }
  return pattern.length;
}

function splitAlternatives(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (char === "\\") {
      current += char + (text[++index] ?? "");
      continue;
    }
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "|" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function escapeRegex(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
