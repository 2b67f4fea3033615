import type { ParameterExpansionPart, Word } from "unbash";
import { walkArithmeticText } from "./arithmetic.js";
import { arithmeticContext, evaluateWord, parseWord, split, variable, type WordContext, walkPromptString } from "./shell-words.js";

/** `${...}`: every nested word is walked; the value is known only for a plain `${x}` or `${a[@]}`. */
export function parameter(part: ParameterExpansionPart, context: WordContext, quoted: boolean): string[] | undefined {
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
      const pattern = parseWord(text.slice(start, -1));
      return pattern ? [pattern] : start === text.length - 1 ? [] : undefined;
    }
    const char = text[index];
    if (char === "\\") index++;
    else if (char === "'" && depth === 0) index = text.indexOf("'", index + 1);
    else if (char === "(" || char === "{") depth++;
    else if (char === ")" || char === "}") depth--;
    else if (char === "/" && depth === 0) {
      const texts = [text.slice(start, index), text.slice(index + 1, -1)].filter((item) => item !== "");
      const found = texts.map(parseWord);
      return found.every((word) => word !== undefined) ? (found as Word[]) : undefined;
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
