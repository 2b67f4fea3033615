import type { Assignment, Command, CommandNode, ParsedScript, Redirection, Word } from "unbash";
import { type Analysis, limits, type Stdin, unknownValue } from "./analyze-command.js";
import { walkArithmeticText } from "./arithmetic.js";
import { runProgram } from "./program-models.js";
import { redirectedStdin, walkRedirections } from "./redirections.js";
import { assignmentHooks } from "./shell-hooks.js";
import { assign, childState, type ShellState } from "./shell-state.js";
import { arithmeticContext, type ScriptOutput } from "./shell-words.js";
import { subscriptOf } from "./test-expressions.js";

/**
 * A simple command: its assignments (with the hooks some variables are: PS1, PROMPT_COMMAND, BASH_ENV),
 * redirections, then the program it names after aliases, `hash -p` and functions (a function's body runs in
 * the caller's state, as bash runs it), else a program or builtin (see program-models.ts).
 */
export function analyzeSimpleCommand(analysis: Analysis, node: Command, state: ShellState, stdin: Stdin): void {
  const env: string[] = [];
  for (const item of node.prefix) {
    if (item.type !== "Assignment") continue;
    const value = assignmentValue(analysis, item, state);
    env.push(item.name);
    assignmentHooks(analysis, item.name, value, state, item.append ? appendedValue(analysis, item, state) : undefined);
    // Without a command the assignment changes the shell's own variable (and what programs inherit, if exported).
    if (!node.name) {
      assign(state, item.name, value, { integer: integerResults.has(item) });
      state.exported.add(item.name);
    }
  }
  walkRedirections(analysis, node.redirects, state, literalOutput(node, analysis, state));
  if (!node.name) return;
  const name = analysis.word(node.name, state);
  // `exec 3>/path` keeps fd 3 open on /path: a later `>&3` writes there.
  if (name.known && name.fields[0] === "exec" && node.suffix.every((item) => item.type !== "Word"))
    openDescriptors(analysis, node.redirects, state);
  const args: Array<string | null> = [];
  for (const argument of node.suffix) {
    if (argument.type === "Word") {
      const fields = analysis.word(argument, state);
      if (fields.known) args.push(...fields.fields);
      else args.push(null);
    } else if (argument.type === "Assignment") {
      // `export X=1`, `alias x='rm -rf /'`: the argument as the builtin receives it, quotes removed.
      const value = assignmentValue(analysis, argument, state);
      // An unknown value still names the variable (`export PATH=/x:$PATH` sets PATH, whatever it becomes).
      args.push(`${argument.name}=${value === null ? unknownValue : value.join(" ")}`);
      if (name.known && declaresVariables.has(name.fields[0] ?? "")) assignmentHooks(analysis, argument.name, value, state);
    }
  }
  const input = redirectedStdin(node.redirects, stdin, analysis, state);
  if (!name.known) {
    analysis.facts.execs.push({ program: null, path: null, args, env: [...env, ...state.exported], via: [] });
    analysis.opaque("dynamic-name", `the program name ${name.text} is only known at run time`);
    return;
  }
  const [first = "", ...rest] = name.fields;
  const argv = [first, ...rest, ...args];
  const alias = state.aliases.get(first);
  if (alias !== undefined && node.name.parts === undefined && state.depth < limits.depth) {
    analysis.script([alias, ...argv.slice(1).map((arg) => (arg === null ? '"$UNKNOWN"' : quote(arg)))].join(" "), childState(state), input);
    return;
  }
  const hashed = state.hashed.get(first);
  if (hashed !== undefined) argv[0] = hashed;
  const definition = hashed === undefined ? state.functions.get(first) : undefined;
  if (definition) {
    callFunction(analysis, definition, argv.slice(1), state, input);
    return;
  }
  runProgram(analysis, argv, { env: [...env, ...state.exported], via: [], stdin: input }, state);
}

/** Builtins whose assignment arguments set variables (so the hooks of PS1 and the like apply). */
const declaresVariables = new Set(["export", "declare", "typeset", "local", "readonly"]);

/** A function's body runs in the caller's shell: its assignments and `cd` stay, except what it made local. */
function callFunction(
  analysis: Analysis,
  definition: import("unbash").Function,
  args: Array<string | null>,
  state: ShellState,
  input: Stdin,
): void {
  analysis.called.add(definition);
  // A function already being walked (recursion) has had its effects counted: walking it again only multiplies them.
  if (analysis.callDepth >= limits.depth || analysis.active.has(definition)) return;
  analysis.active.add(definition);
  const saved = { positional: state.positional, locals: state.locals, parameters: new Map<string, string[] | undefined>() };
  for (const name of ["@", "*", "#", ...args.map((_, index) => String(index + 1))]) saved.parameters.set(name, state.variables.get(name));
  state.positional = args;
  for (const [index, value] of args.entries()) assign(state, String(index + 1), value === null ? null : [value]);
  const known = args.every((arg) => arg !== null);
  assign(state, "@", known ? (args as string[]) : null);
  assign(state, "*", known ? (args as string[]) : null);
  assign(state, "#", [String(args.length)]);
  state.locals = new Map();
  analysis.callDepth++;
  try {
    const body = definition.body;
    if (body.type === "CompoundList") analysis.list(body, state, input);
    else analysis.command(body, state, input);
  } finally {
    analysis.active.delete(definition);
    analysis.callDepth--;
    for (const [name, value] of state.locals) assign(state, name, value ?? null);
    state.locals = saved.locals;
    state.positional = saved.positional;
    for (const [name, value] of saved.parameters) assign(state, name, value ?? null);
  }
}

/** Assignments whose value is not known but is a number (`n=$(( ... ))`, `n=$(wc -l <f)`). */
export const integerResults = new WeakSet<Assignment>();

/** The value an assignment gives (`x=v`, `x+=v`, `a=(...)`), or null when only known at run time. */
export function assignmentValue(analysis: Analysis, item: Assignment, state: ShellState): string[] | null {
  // `a[$(...)]=1`: the subscript is expanded (an indexed array's as arithmetic).
  if (item.index) {
    const index = wordText(analysis, item.index, state);
    if (index !== null) subscriptOf(analysis, `${item.name}[${index}]`, state);
    else if (!state.associative.has(item.name))
      analysis.opaque(
        "dynamic-script",
        `the subscript of ${item.name}[${item.index.text}] is only known at run time, and is evaluated as arithmetic`,
      );
  }
  let value: string[] | null;
  if (item.value.type === "ArrayValue") {
    value = [];
    for (const element of item.value.elements) {
      const fields = analysis.word(element, state);
      if (!fields.known) value = null;
      else value?.push(...fields.fields);
    }
  } else {
    const fields = analysis.word(item.value, state);
    value = fields.known ? [fields.fields.join(" ")] : null;
    if (!fields.known && fields.integer && !item.index && !item.append) integerResults.add(item);
  }
  if (item.index) return null;
  if (state.integerAttribute.has(item.name)) {
    // `declare -i x; x='a[$(...)]'`: the value is evaluated as arithmetic.
    if (value === null)
      analysis.opaque("dynamic-script", `${item.name} is an integer variable: a value only known at run time is evaluated as arithmetic`);
    else walkArithmeticText(value.join(" "), arithmeticContext(analysis.wordContext(state)));
    return null;
  }
  if (item.append) {
    const before = state.variables.get(item.name);
    if (before === undefined || value === null) return null;
    return item.value.type === "ArrayValue" ? [...before, ...value] : [before.join(" ") + value.join(" ")];
  }
  return value;
}

/** What a `+=` adds, alone. */
function appendedValue(analysis: Analysis, item: Assignment, state: ShellState): string[] | null {
  if (item.value.type !== "ArrayValue")
    return wordText(analysis, item.value, state) === null ? null : [wordText(analysis, item.value, state) as string];
  const values: string[] = [];
  for (const element of item.value.elements) {
    const fields = analysis.word(element, state);
    if (!fields.known) return null;
    values.push(...fields.fields);
  }
  return values;
}

function wordText(analysis: Analysis, word: Word, state: ShellState): string | null {
  const fields = analysis.word(word, state);
  return fields.known ? fields.fields.join(" ") : null;
}

function openDescriptors(analysis: Analysis, redirects: readonly Redirection[], state: ShellState): void {
  for (const redirect of redirects) {
    if (redirect.type !== "Redirect" || redirect.descriptor?.type !== "FileDescriptor" || !redirect.target) continue;
    const fields = analysis.word(redirect.target, state);
    state.fds.set(redirect.descriptor.value, fields.known ? analysis.resolve(fields.fields[0] ?? null, state) : null);
  }
}

/**
 * What a command writes, when literal: `echo a b` or `printf '%s\n' x` (escapes are not interpreted), `cat`
 * of its own here-document or here-string, and a `{ ...; }` or `( ... )` of such commands.
 */
export function literalOutput(node: CommandNode, analysis: Analysis, state: ShellState): string | null {
  if (node.type === "BraceGroup" || node.type === "Subshell") {
    let text = "";
    for (const statement of node.body.commands) {
      const part = statement.background ? null : literalOutput(statement.command as CommandNode, analysis, state);
      if (part === null) return null;
      text += part;
    }
    return text;
  }
  if (node.type !== "Command" || !node.name) return null;
  const program = node.name.value;
  if (program === "cat" && node.suffix.every((item) => item.type === "HereDoc" || item.type === "HereString")) {
    const input = redirectedStdin(node.redirects, { kind: "none" }, analysis, state);
    return input.kind === "text" ? input.text : null;
  }
  if (program !== "echo" && program !== "printf") return null;
  const words: string[] = [];
  for (const argument of node.suffix) {
    if (argument.type !== "Word") {
      if (argument.type === "Redirect" || argument.type === "HereDoc" || argument.type === "HereString") continue;
      return null;
    }
    const fields = analysis.value(argument, state);
    if (!fields.known) return null;
    words.push(...fields.fields);
  }
  if (program === "echo") return words[0]?.startsWith("-") ? null : `${words.join(" ")}\n`;
  // printf FORMAT ARGS: only a format without directives, or `%s\n` / `%s` over the arguments.
  const [format = "", ...values] = words;
  if (format === "%s\\n") return values.map((value) => `${value}\n`).join("");
  if (format === "%s") return values.join("");
  return /%|\\/.test(format) ? null : format;
}

/**
 * What a command substitution prints, when its script is one simple command whose output the analysis can
 * tell: `echo`/`printf` of literal words, `seq` of numbers, `pwd`; or only that it prints a number (`wc -l`
 * of stdin, `nproc`, `id -u`, `date +%s`, `grep -c`).
 */
export function scriptOutput(script: ParsedScript | undefined, analysis: Analysis, state: ShellState): ScriptOutput {
  const statement = script?.commands.length === 1 ? script.commands[0] : undefined;
  let node: CommandNode | undefined =
    statement?.command.type === "Pipeline" || statement?.command.type === "AndOr" ? undefined : statement?.command;
  if (node?.type === "Redirected") node = node.command;
  if (node?.type !== "Command" || !node.name || node.prefix.some((item) => item.type === "Assignment")) return null;
  const literal = literalOutput(node, analysis, state);
  if (literal !== null) return { text: literal };
  const words: string[] = [];
  for (const argument of node.suffix) {
    if (argument.type !== "Word") continue;
    const fields = analysis.value(argument, state);
    if (!fields.known) return null;
    words.push(...fields.fields);
  }
  const program = node.name.value;
  if (program === "pwd") return state.cwd === null ? null : { text: `${state.cwd}\n` };
  if (program === "mktemp") return temporaryPath(words, state);
  if (program === "seq" && words.length >= 1 && words.length <= 3 && words.every((word) => /^-?\d+$/.test(word))) {
    const [first, step, last] =
      words.length === 1 ? [1, 1, Number(words[0])] : words.length === 2 ? [Number(words[0]), 1, Number(words[1])] : words.map(Number);
    if (!step || Math.abs(((last as number) - (first as number)) / step) > 1000) return { integer: true };
    const values: number[] = [];
    for (let value = first as number; step > 0 ? value <= (last as number) : value >= (last as number); value += step) values.push(value);
    return { text: values.map((value) => `${value}\n`).join("") };
  }
  if (program === "seq") return { integer: true };
  const operands = words.filter((word) => !word.startsWith("-"));
  if (program === "wc" && operands.length === 0 && words.some((word) => /^-[lcwm]+$/.test(word))) return { integer: true };
  if (program === "grep" && words.includes("-c") && operands.length <= 2) return { integer: true };
  if (program === "nproc" || (program === "id" && /^-[ug]$/.test(words[0] ?? "")) || (program === "date" && words[0] === "+%s"))
    return { integer: true };
  return null;
}

/**
 * `mktemp`: a new name under the temporary directory (or from the template), never an existing path. Its
 * random part stays `XXXXXXXXXX`; the directory is `$TMPDIR` when the script set it, else /tmp.
 */
function temporaryPath(words: string[], state: ShellState): ScriptOutput {
  let directory = state.variables.get("TMPDIR")?.join(" ") ?? "/tmp";
  let template: string | undefined;
  let inDirectory = false;
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as string;
    if (word === "-p" || word === "--tmpdir") {
      directory = words[++index] ?? directory;
      inDirectory = true;
    } else if (word.startsWith("--tmpdir=")) {
      directory = word.slice(9);
      inDirectory = true;
    } else if (word === "-t") inDirectory = true;
    else if (word === "--suffix") index++;
    else if (!word.startsWith("-")) template = word;
  }
  const name = template ?? "tmp.XXXXXXXXXX";
  return { text: `${template === undefined || inDirectory ? `${directory.replace(/\/+$/, "")}/${name}` : name}\n` };
}

/** A word for re-parsing an alias expansion. */
function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
