import { type ParameterExpansionPart, type ParsedScript, parse, type Word, type WordPart } from "unbash";
import { type ArithmeticContext, walkArithmetic, walkArithmeticText } from "./arithmetic.js";
import { expandBraces } from "./brace-expansion.js";
import { escapeGlob } from "./glob-match.js";

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
const split = "\u0000";

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
    const reparsed = parse(`: ${text}`).commands[0]?.command;
    const inner = reparsed?.type === "Command" ? reparsed.suffix[0] : undefined;
    if (inner?.type !== "Word" || inner.parts?.some((part) => part.type === "BraceExpansion")) {
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

/** `${...}`: every nested word is walked; the value is known only for a plain `${x}` or `${a[@]}`. */
function parameter(part: ParameterExpansionPart, context: WordContext, quoted: boolean): string[] | undefined {
  const all = part.index?.value === "@" || part.index?.value === "*";
  if (part.index && !all) subscript(part.parameter, part.index, context);
  const operation = part.operation;
  if (part.prefix === "!") {
    // `${!ref}` expands the variable ref names, subscript included: `ref='a[$(...)]'` runs it.
    if (operation?.type !== "Names") indirect(part.parameter, context);
    return undefined;
  }
  if (part.prefix === "#") return undefined;
  if (!operation) {
    if (!part.index || all) return variable(part.parameter, context, quoted, all);
    // `${a[1]}`: one element, when the subscript is a number and the array is known.
    const at = part.index.parts ? undefined : part.index.value;
    const values = context.variables.get(part.parameter);
    if (at === undefined || !/^\d+$/.test(at) || values === undefined || context.associative.has(part.parameter)) return undefined;
    const element = values[Number(at)] ?? "";
    return [quoted ? element : element.replace(/[ \t\n]+/g, split)];
  }
  switch (operation.type) {
    case "Default":
      if (operation.operator.includes("=")) context.onAssign(part.parameter);
      walkWord(operation.operand, context);
      return undefined;
    case "Remove":
    case "CaseModification":
      if (operation.operand) walkWord(operation.operand, context);
      return undefined;
    case "Replace":
      for (const word of replaceWords(part.text, operation.operator) ?? [operation.pattern, operation.replacement]) walkWord(word, context);
      return undefined;
    case "Slice":
      arithmeticWord(operation.offset, context);
      if (operation.length) arithmeticWord(operation.length, context);
      return undefined;
    case "Transform":
      if (operation.operand.value === "P") promptExpansion(part.parameter, context);
      return undefined;
    case "Names":
      return undefined;
    default:
      context.onRisk(`a parameter expansion the analysis does not know (${part.text})`);
      return undefined;
  }
}

/**
 * The pattern and replacement of `${x/pattern/replacement}` as words, split at the first `/` outside quotes
 * and substitutions (the parser splits at the first `/` of all, even inside `$(...)`).
 */
function replaceWords(text: string, operator: string): Word[] | undefined {
  const start = text.indexOf(operator) + operator.length;
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    // No second `/`: a pattern alone (`${x/#pat}` deletes it).
    if (index === text.length - 1) {
      const command = parse(`: ${text.slice(start, -1)}`).commands[0]?.command;
      const pattern = command?.type === "Command" ? command.suffix[0] : undefined;
      return pattern?.type === "Word" ? [pattern] : start === text.length - 1 ? [] : undefined;
    }
    const char = text[index];
    if (char === "\\") index++;
    else if (char === "'" && depth === 0) index = text.indexOf("'", index + 1);
    else if (char === "(" || char === "{") depth++;
    else if (char === ")" || char === "}") depth--;
    else if (char === "/" && depth === 0) {
      const texts = [text.slice(start, index), text.slice(index + 1, -1)].filter((item) => item !== "");
      const found = texts.map((item) => {
        const command = parse(`: ${item}`).commands[0]?.command;
        return command?.type === "Command" ? command.suffix[0] : undefined;
      });
      return found.every((word) => word?.type === "Word") ? (found as Word[]) : undefined;
    }
    if (index < 0) return undefined;
  }
  return undefined;
}

/** Walks a nested word for what it runs; its value does not matter. */
function walkWord(word: Word, context: WordContext): void {
  evaluateWord(word, context);
}

/** A word bash evaluates as arithmetic (a subscript, an offset): its expansion, then the expression. */
function arithmeticWord(word: Word, context: WordContext): void {
  const value = evaluateWord(word, { ...context, ifsChanged: false });
  if (!value.known) {
    context.onRisk(`arithmetic on ${word.text}, whose value is only known at run time (a value such as a[$(...)] runs a command)`);
    return;
  }
  walkArithmeticText(value.fields.join(" "), arithmeticContext(context));
}

function subscript(name: string, index: Word, context: WordContext): void {
  if (context.associative.has(name)) walkWord(index, context);
  else arithmeticWord(index, context);
}

function indirect(name: string, context: WordContext): void {
  const target = context.variables.get(name);
  if (target === undefined) {
    context.onRisk(`\${!${name}} expands a variable named at run time (a name such as a[$(...)] runs a command)`);
    return;
  }
  for (const item of target) {
    const bracket = item.indexOf("[");
    if (bracket > 0 && item.endsWith("]")) walkArithmeticText(item.slice(bracket + 1, -1), arithmeticContext(context));
  }
}

/** `${x@P}` expands x's value as a prompt string, command substitutions included. */
function promptExpansion(name: string, context: WordContext): void {
  const values = context.variables.get(name);
  if (values === undefined) {
    context.onRisk(`\${${name}@P} expands a value only known at run time as a prompt, running what it contains`);
    return;
  }
  for (const value of values) walkPromptString(value, context);
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

function variable(name: string, context: WordContext, quoted: boolean, all: boolean): string[] | undefined {
  // An unquoted ${IFS} is where the word splits: the classic `rm${IFS}-rf${IFS}/`.
  if (name === "IFS" && !context.ifsChanged) return quoted ? [" \t\n"] : [split];
  const values = context.variables.get(name);
  if (values === undefined) return undefined;
  if (quoted && all) return [values.join(split)];
  if (!quoted && context.ifsChanged) return undefined;
  const joined = values.join(quoted ? " " : split);
  return [quoted ? joined : joined.replace(/[ \t\n]+/g, split)];
}
