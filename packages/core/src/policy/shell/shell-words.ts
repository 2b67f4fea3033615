import type { ParsedScript, Word, WordPart } from "unbash";

/** What a shell word becomes before the command runs: its fields, or unknown until run time. */
export type Fields = { known: true; fields: string[]; glob: boolean } | { known: false; text: string };

/** Variables known from literal assignments earlier in the same command (arrays as several values). */
export type Variables = ReadonlyMap<string, readonly string[]>;

export interface WordContext {
  variables: Variables;
  /** Scripts inside the word (`$(...)`, `<(...)`): analysed for their own effects. */
  onScript(script: ParsedScript | undefined, text: string): void;
}

/** Marks the places where an unquoted expansion splits a word (IFS is never assumed to be changed). */
const split = "\u0000";

/**
 * Evaluates a word as bash would for the parts that are knowable from the text: quote removal, ANSI-C
 * decoding, literal brace expansion, variables from earlier literal assignments (and their word
 * splitting when unquoted). Anything else (`$(...)`, an unknown variable, arithmetic) makes it unknown.
 */
export function evaluateWord(word: Word, context: WordContext): Fields {
  if (!word.parts) return { known: true, fields: [word.value], glob: false };
  let alternatives = [""];
  let known = true;
  let glob = false;
  const append = (values: readonly string[]) => {
    alternatives = alternatives.flatMap((prefix) => values.map((value) => prefix + value));
  };
  for (const part of word.parts) {
    const value = partValue(part, context, false);
    if (value === undefined) known = false;
    else {
      append(value);
      if (part.type === "Glob" || part.type === "ExtendedGlob") glob = true;
    }
  }
  if (!known) return { known: false, text: word.text };
  const fields = alternatives.flatMap((alternative) =>
    alternative.split(split).filter((field, _index, all) => field !== "" || all.length === 1),
  );
  return { known: true, fields, glob };
}

/** The possible values of a part (several for brace expansion), or undefined when unknowable. */
function partValue(part: WordPart, context: WordContext, quoted: boolean): string[] | undefined {
  switch (part.type) {
    case "Literal":
    case "SingleQuoted":
    case "AnsiCQuoted":
      return [part.value];
    case "Glob":
      return [part.value];
    case "ExtendedGlob":
      return [part.text];
    case "DoubleQuoted":
    case "LocaleString": {
      let values = [""];
      for (const child of part.parts) {
        const value = partValue(child, context, true);
        if (value === undefined) return undefined;
        values = values.flatMap((prefix) => value.map((item) => prefix + item));
      }
      return values;
    }
    case "SimpleExpansion":
      return variable(part.text.slice(1), context, quoted, false);
    case "ParameterExpansion": {
      if (part.operation || part.prefix) return undefined;
      const all = part.index?.value === "@" || part.index?.value === "*";
      if (part.index && !all) return undefined;
      return variable(part.parameter, context, quoted, all);
    }
    case "BraceExpansion":
      return braceAlternatives(part.text);
    case "CommandExpansion":
    case "ProcessSubstitution":
      context.onScript(part.script, part.text);
      return undefined;
    default:
      return undefined;
  }
}

function variable(name: string, context: WordContext, quoted: boolean, all: boolean): string[] | undefined {
  // An unquoted ${IFS} is where the word splits: the classic `rm${IFS}-rf${IFS}/`.
  if (name === "IFS") return quoted ? [" \t\n"] : [split];
  const values = context.variables.get(name);
  if (values === undefined) return undefined;
  if (quoted && all) return [values.join(split)];
  const joined = values.join(quoted ? " " : split);
  return [quoted ? joined : joined.replace(/[ \t\n]+/g, split)];
}

/** `{a,b}` and `{1..3}` as bash expands them (one level; a nested or odd form is kept as text). */
function braceAlternatives(text: string): string[] {
  const inner = text.slice(1, -1);
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(inner);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (Math.abs(to - from) > 1000) return [text];
    const step = from <= to ? 1 : -1;
    const values: string[] = [];
    for (let value = from; value !== to + step; value += step) values.push(String(value));
    return values;
  }
  if (!inner.includes(",") || /[{}]/.test(inner)) return [text];
  return inner.split(",");
}
