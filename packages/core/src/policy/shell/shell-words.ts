import { type ParsedScript, parse, type Word, type WordPart } from "unbash";
import { type ArithmeticContext, walkArithmetic } from "./arithmetic.js";
import { expandBraces } from "./brace-expansion.js";
import { escapeGlob } from "./glob-match.js";
import { parameter } from "./parameter-expansion.js";

/**
 * What a shell word becomes before the command runs: its fields, or unknown until run time (`integer`: the
 * value is not known but is a number, as `$(( ))` or `$(wc -l <f)` give).
 */
export type Fields = { known: true; fields: string[]; glob: boolean } | { known: false; text: string; integer?: boolean };

/** What a command substitution prints, as far as the analysis knows it. */
export type ScriptOutput = { text: string } | { integer: true } | null;

/** Variables known from literal assignments earlier in the same command (arrays as several values). */
export type Variables = ReadonlyMap<string, readonly string[]>;

export interface WordContext {
  variables: Variables;
  /** Names known to hold integers (see arithmetic.ts). */
  integers: ReadonlySet<string>;
  /** Associative arrays: their subscripts are strings, not arithmetic. */
  associative: ReadonlySet<string>;
  /** IFS was changed: where an unquoted expansion splits is not known. */
  ifsChanged: boolean;
  /** Scripts inside the word (`$(...)`, `<(...)`, `>(...)`): analysed for their own effects. */
  onScript(script: ParsedScript | undefined, text: string, how?: { feeds: boolean }): void;
  /** Something in the word only known at run time that could run a command (arithmetic on unknown values, `@P`). */
  onRisk(detail: string): void;
  /** `${x:=value}` assigns x. */
  onAssign(name: string, how?: { integer?: boolean }): void;
  /** What a command substitution prints, when the analysis can tell (`$(seq 3)`, `$(pwd)`, `$(wc -l <f)`). */
  output?(script: ParsedScript | undefined): ScriptOutput;
}

/** Marks the places where an unquoted expansion splits a word. */
export const split = "\u0000";

/**
 * Evaluates a word as bash would for the parts that are knowable from the text: brace expansion, quote
 * removal, ANSI-C decoding, variables from earlier literal assignments (and their word splitting when
 * unquoted). Every part is walked, so scripts nested anywhere (`${x:-$(...)}`, `$(( a[$(...)] ))`,
 * `{a,$(...)}`) are analysed; anything whose value is not knowable makes the word unknown. In a glob word
 * the wildcard characters that were quoted come back escaped (see glob-match.ts).
 */
export function evaluateWord(word: Word, context: WordContext): Fields {
  if (!word.parts) return { known: true, fields: [word.value], glob: false };
  if (word.parts.some((part) => part.type === "BraceExpansion")) return evaluateBraces(word, context);
  const single = soleSubstitution(word.parts);
  if (single?.type === "ParameterExpansion" && single.prefix === "#" && !single.operation) {
    evaluateWord({ ...word, parts: [{ ...single, prefix: undefined }] } as Word, context);
    return { known: false, text: word.text, integer: true };
  }
  if (single?.type === "ArithmeticExpansion") {
    walkArithmetic(single.expression, arithmeticContext(context));
    return { known: false, text: word.text, integer: true };
  }
  if (single?.type === "CommandExpansion" && context.output) {
    const output = context.output(single.script);
    if (output && "integer" in output) {
      context.onScript(single.script, single.text);
      return { known: false, text: word.text, integer: true };
    }
  }
  const glob = word.parts.some((part) => part.type === "Glob" || part.type === "ExtendedGlob");
  let alternatives = [""];
  let known = true;
  for (const part of word.parts) {
    const value = partValue(part, context, false, glob);
    if (value === undefined) known = false;
    else alternatives = alternatives.flatMap((prefix) => value.map((item) => prefix + item));
  }
  if (!known) return { known: false, text: word.text };
  const fields = alternatives.flatMap((alternative) =>
    alternative.split(split).filter((field, _index, all) => field !== "" || all.length === 1),
  );
  return { known: true, fields, glob };
}

/** The one `$(...)` or `$((...))` a word consists of (quoted or not), if it is only that. */
function soleSubstitution(parts: readonly WordPart[]): WordPart | undefined {
  const only = parts.length === 1 ? parts[0] : undefined;
  const inner = only?.type === "DoubleQuoted" && only.parts.length === 1 ? only.parts[0] : only;
  return inner?.type === "CommandExpansion" || inner?.type === "ArithmeticExpansion" || inner?.type === "ParameterExpansion"
    ? inner
    : undefined;
}

/** Brace expansion comes first, on the word's text; each result is then a word of its own. */
function evaluateBraces(word: Word, context: WordContext): Fields {
  const texts = expandBraces(word.text);
  if (texts === null) {
    for (const part of word.parts ?? []) partValue(part, context, false, false);
    return { known: false, text: word.text };
  }
  const fields: string[] = [];
  let glob = false;
  let known = true;
  for (const text of texts) {
    if (text === "") {
      fields.push("");
      continue;
    }
    const inner = parseWord(text);
    if (inner === undefined || inner.parts?.some((part) => part.type === "BraceExpansion")) {
      known = false;
      continue;
    }
    const value = evaluateWord(inner, context);
    if (!value.known) known = false;
    else {
      fields.push(...value.fields);
      glob ||= value.glob;
    }
  }
  return known ? { known: true, fields, glob } : { known: false, text: word.text };
}

/** The possible values of a part, or undefined when unknowable. Nested words are walked either way. */
function partValue(part: WordPart, context: WordContext, quoted: boolean, glob: boolean): string[] | undefined {
  const literal = (value: string) => [glob ? escapeGlob(value) : value];
  switch (part.type) {
    case "Literal":
    case "SingleQuoted":
    case "AnsiCQuoted":
      return literal(part.value);
    case "Glob":
      // A bracket expression's contents are expanded too: `a[$(...)]`.
      for (const child of (part as { parts?: readonly WordPart[] }).parts ?? []) partValue(child, context, true, false);
      return [part.value];
    case "ExtendedGlob":
      for (const child of part.parts ?? []) partValue(child, context, true, false);
      return [part.text];
    case "DoubleQuoted":
    case "LocaleString": {
      let values = [""];
      let known = true;
      for (const child of part.parts) {
        const value = partValue(child, context, true, glob);
        if (value === undefined) known = false;
        else values = values.flatMap((prefix) => value.map((item) => prefix + item));
      }
      return known ? values : undefined;
    }
    case "SimpleExpansion": {
      const value = variable(part.text.slice(1), context, quoted, false);
      return value && glob ? value.map(escapeGlob) : value;
    }
    case "ParameterExpansion": {
      const value = parameter(part, context, quoted);
      return value && glob ? value.map(escapeGlob) : value;
    }
    case "ArithmeticExpansion":
      walkArithmetic(part.expression, arithmeticContext(context));
      return undefined;
    case "CommandExpansion": {
      // The parser can end a substitution early (`${x/$(a /)/b}` splits at the `/`): then it is not walked right.
      if (!/[)`]$/.test(part.text)) context.onRisk(`a command substitution the parser could not delimit (${part.text})`);
      context.onScript(part.script, part.text);
      const output = context.output?.(part.script);
      if (!output || !("text" in output)) return undefined;
      // Trailing newlines are removed; unquoted, the rest splits into words.
      const text = output.text.replace(/\n+$/, "");
      if (quoted) return [glob ? escapeGlob(text) : text];
      if (context.ifsChanged) return undefined;
      return [
        text
          .split(/[ \t\n]+/)
          .map((item) => (glob ? escapeGlob(item) : item))
          .join(split),
      ];
    }
    case "ProcessSubstitution":
      context.onScript(part.script, part.text, { feeds: part.operator === ">" });
      return undefined;
    case "BraceExpansion":
      for (const child of part.parts ?? []) partValue(child, context, quoted, false);
      return undefined;
    default:
      context.onRisk(`a part of a word the analysis does not know (${(part as { type: string }).type})`);
      return undefined;
  }
}

/** Walks text bash expands as a prompt or a here-document body (parameters, `$(...)`, backquotes, arithmetic). */
export function walkPromptString(text: string, context: WordContext): void {
  const parsed = parse(`: <<__HERMES_PROMPT__\n${text}\n__HERMES_PROMPT__\n`).commands[0]?.command;
  const heredoc = parsed?.type === "Command" ? parsed.suffix.find((item) => item.type === "HereDoc") : undefined;
  if (heredoc?.type !== "HereDoc") {
    context.onRisk("a prompt string the analysis cannot read");
    return;
  }
  for (const part of heredoc.body.parts ?? []) partValue(part, context, true, false);
}

export function arithmeticContext(context: WordContext): ArithmeticContext {
  return {
    variables: context.variables,
    integers: context.integers,
    word: (word) => {
      const value = evaluateWord(word, { ...context, ifsChanged: false });
      // A number whose value is not known is harmless in arithmetic.
      return value.known ? value.fields.join(" ") : value.integer ? "0" : null;
    },
    script: (script, text) => context.onScript(script, text),
    risk: (detail) => context.onRisk(detail),
    assigned: (name) => context.onAssign(name, { integer: true }),
  };
}

export function variable(name: string, context: WordContext, quoted: boolean, all: boolean): string[] | undefined {
  // An unquoted ${IFS} is where the word splits: the classic `rm${IFS}-rf${IFS}/`.
  if (name === "IFS" && !context.ifsChanged) return quoted ? [" \t\n"] : [split];
  const values = context.variables.get(name);
  if (values === undefined) return undefined;
  if (quoted && all) return [values.join(split)];
  if (!quoted && context.ifsChanged) return undefined;
  const joined = values.join(quoted ? " " : split);
  return [quoted ? joined : joined.replace(/[ \t\n]+/g, split)];
}

/** The text as one shell word, parsed (as an argument of `:`); undefined when it is not a single word. */
export function parseWord(text: string): Word | undefined {
  const command = parse(`: ${text}`).commands[0]?.command;
  const word = command?.type === "Command" ? command.suffix[0] : undefined;
  return word?.type === "Word" ? word : undefined;
}
