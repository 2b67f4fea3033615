import { posix } from "node:path";
import {
  type CommandNode,
  type CompoundList,
  type Function as FunctionNode,
  type ParsedScript,
  parse,
  type Redirection,
  type Statement,
  type Word,
} from "unbash";
import { type CommandFacts, emptyFacts, type OpaqueKind, type PathFact } from "./command-facts.js";
import { runProgram } from "./program-models.js";
import { evaluateWord, type Fields } from "./shell-words.js";

export interface AnalysisOptions {
  /** The working directory the command starts in. */
  cwd: string;
  /** `~` (the target's home). */
  home: string;
  /** Variables known to hold these values when the command starts (`HOME` when the target's is known). */
  variables?: Readonly<Record<string, string>>;
}

/** Stands for a value only known at run time inside an `export NAME=...` argument. */
export const unknownValue = "\u0000unknown";

/** Past these, the analysis stops and calls the command unparsable (which no rule allows). */
const limits = { bytes: 64 * 1024, depth: 12, loopValues: 32, commands: 5_000 };

/** What the command's stdin is, for the program that reads it. */
export type Stdin =
  | { kind: "none" }
  | { kind: "text"; text: string | null }
  /** `text`: what the stage before writes, when literal; `under`: the trees a `find` before prints the entries of. */
  | { kind: "pipe"; from: string | null; text: string | null; under?: string[] | null };

/** The shell's state as the analysis walks the script. */
export interface ShellState {
  cwd: string | null;
  variables: Map<string, string[]>;
  functions: Map<string, FunctionNode>;
  aliases: Map<string, string>;
  /** File descriptors opened for writing with `exec N>file`. */
  fds: Map<number, string | null>;
  /** Variables the script exported or changed that programs inherit. */
  exported: Set<string>;
  positional: Array<string | null>;
  depth: number;
}

/**
 * The facts of a bash command, from its syntax tree (unbash): every program with its arguments after quote
 * removal and expansion of what is literal, wrappers unwrapped, nested scripts (`bash -c`, `eval`, heredocs,
 * substitutions, functions, aliases, loops over literal lists) analysed recursively, paths resolved against the
 * tracked cwd and home. What cannot be known is reported as opaque, never guessed.
 */
export function analyzeCommand(command: string, options: AnalysisOptions): CommandFacts {
  const analysis = new Analysis(options);
  if (command.length > limits.bytes) analysis.opaque("unparsable", `the command is over ${limits.bytes} bytes`);
  else {
    const state = newState(options.cwd);
    for (const [name, value] of Object.entries(options.variables ?? {})) state.variables.set(name, [value]);
    analysis.script(command, state);
  }
  return analysis.facts;
}

function newState(cwd: string | null): ShellState {
  return {
    cwd,
    variables: new Map(),
    functions: new Map(),
    aliases: new Map(),
    fds: new Map(),
    exported: new Set(),
    positional: [],
    depth: 0,
  };
}

/** A copy for a subshell, a function call or a nested script: its cwd and variables do not leak back. */
export function childState(state: ShellState): ShellState {
  return {
    ...state,
    variables: new Map(state.variables),
    fds: new Map(state.fds),
    exported: new Set(state.exported),
    depth: state.depth + 1,
  };
}

export class Analysis {
  readonly facts: CommandFacts = emptyFacts();
  /** Commands walked so far: functions calling functions can multiply them, so the walk is bounded. */
  private walked = 0;

  constructor(readonly options: AnalysisOptions) {}

  opaque(kind: OpaqueKind, detail: string, extra: { program?: string; paths?: Array<string | null> } = {}): void {
    this.facts.opaque.push({ kind, detail, ...extra });
  }

  path(fact: Omit<PathFact, "recursive" | "glob"> & { recursive?: boolean; glob?: boolean }): void {
    this.facts.paths.push({ recursive: false, glob: false, ...fact });
  }

  /** Adds another analysis's facts (a command run on another host: its paths marked `remote`). */
  merge(facts: CommandFacts, how: { remote: boolean }): void {
    this.facts.execs.push(...facts.execs);
    this.facts.paths.push(...facts.paths.map((fact) => ({ ...fact, remote: how.remote })));
    this.facts.opaque.push(...facts.opaque);
    this.facts.network.push(...facts.network);
    this.facts.forkBomb ||= facts.forkBomb;
  }

  /** An absolute, normalised path for a word as the shell sees it, or null when unknown. */
  resolve(raw: string | null, state: ShellState): string | null {
    if (raw === null || raw === "") return null;
    let path = raw;
    if (path === "~" || path.startsWith("~/")) path = this.options.home + path.slice(1);
    else if (path.startsWith("~")) return null;
    if (!path.startsWith("/")) {
      if (state.cwd === null) return null;
      path = posix.join(state.cwd, path);
    }
    const normalized = posix.normalize(path);
    return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
  }

  /** Parses and walks a script; a parse error makes it opaque. */
  script(text: string, state: ShellState): void {
    if (state.depth > limits.depth) {
      this.opaque("unparsable", "nested too deeply");
      return;
    }
    const parsed = parse(text);
    if (parsed.errors && parsed.errors.length > 0) {
      this.opaque("unparsable", `bash syntax error: ${parsed.errors[0]?.message}`);
    }
    this.statements(parsed.commands, state);
  }

  parsed(script: ParsedScript | undefined, text: string, state: ShellState): void {
    if (!script) {
      this.opaque("unparsable", `cannot parse ${text}`);
      return;
    }
    if (script.errors && script.errors.length > 0) this.opaque("unparsable", `bash syntax error in ${text}`);
    this.statements(script.commands, childState(state));
  }

  statements(statements: readonly Statement[], state: ShellState): void {
    for (const statement of statements) {
      // A background job runs alongside the rest: its effects count all the same.
      this.node(statement.command, statement.background ? childState(state) : state, { kind: "none" });
    }
  }

  list(list: CompoundList, state: ShellState): void {
    this.statements(list.commands, state);
  }

  node(node: Statement["command"], state: ShellState, stdin: Stdin): void {
    switch (node.type) {
      case "AndOr":
        for (const command of node.commands) this.node(command, state, stdin);
        return;
      case "Pipeline": {
        let input = stdin;
        for (const [index, command] of node.commands.entries()) {
          const stage = node.commands.length > 1 ? childState(state) : state;
          this.command(command, stage, input);
          input = {
            kind: "pipe",
            from: pipeSource(command),
            text: index === 0 ? literalOutput(command, state) : null,
            under: findStarts(command, this, state),
          };
        }
        return;
      }
      default:
        this.command(node, state, stdin);
    }
  }

  command(node: CommandNode, state: ShellState, stdin: Stdin): void {
    if (++this.walked > limits.commands) {
      if (this.walked === limits.commands + 1) this.opaque("unparsable", `the command expands to over ${limits.commands} commands`);
      return;
    }
    switch (node.type) {
      case "Command":
        this.simple(node, state, stdin);
        return;
      case "Redirected":
        this.redirections(node.redirects, state);
        this.command(node.command, state, redirectedStdin(node.redirects, stdin));
        return;
      case "Subshell":
      case "BraceGroup":
        this.list(node.body, node.type === "Subshell" ? childState(state) : state);
        return;
      case "If":
        this.list(node.clause, state);
        this.list(node.then, state);
        for (const elif of node.elif) {
          this.list(elif.clause, state);
          this.list(elif.then, state);
        }
        if (node.else) this.list(node.else, state);
        return;
      case "While":
        this.list(node.clause, state);
        this.list(node.body, state);
        return;
      case "For":
      case "Select":
        this.loop(node.name.value, node.wordlist, node.body, state);
        return;
      case "ArithmeticFor":
        this.list(node.body, state);
        return;
      case "Case":
        this.word(node.word, state);
        for (const item of node.items) this.list(item.body, state);
        return;
      case "Function":
        state.functions.set(node.name.value, node);
        if (callsItselfConcurrently(node)) this.facts.forkBomb = true;
        return;
      case "Coproc":
        if (node.body.type === "CompoundList") {
          this.list(node.body, childState(state));
          return;
        }
        this.command(node.body, childState(state), { kind: "none" });
        return;
      case "TestCommand":
        this.testWords(node.expression, state);
        return;
      case "ArithmeticCommand":
        return;
    }
  }

  /** A `for` over a literal list runs its body once per value (bounded); otherwise with the variable unknown. */
  private loop(name: string, wordlist: readonly Word[] | undefined, body: CompoundList, state: ShellState): void {
    const values: string[] = [];
    let known = wordlist !== undefined;
    for (const word of wordlist ?? []) {
      const fields = this.word(word, state);
      if (fields.known) values.push(...fields.fields);
      else known = false;
    }
    if (!known || values.length === 0 || values.length > limits.loopValues) {
      const inner = childState(state);
      inner.variables.delete(name);
      this.list(body, inner);
      return;
    }
    for (const value of values) {
      const inner = childState(state);
      inner.variables.set(name, [value]);
      this.list(body, inner);
    }
  }

  private testWords(expression: unknown, state: ShellState): void {
    if (!expression || typeof expression !== "object") return;
    for (const value of Object.values(expression)) {
      if (value && typeof value === "object" && (value as { type?: string }).type === "Word") this.word(value as Word, state);
      else if (Array.isArray(value)) for (const item of value) this.testWords(item, state);
      else if (value && typeof value === "object") this.testWords(value, state);
    }
  }

  /** A word's fields; scripts inside it (`$(...)`) are analysed as they would run. */
  word(word: Word, state: ShellState): Fields {
    return evaluateWord(word, {
      variables: state.variables,
      onScript: (script, text) => this.parsed(script, text, state),
    });
  }

  private simple(node: Extract<CommandNode, { type: "Command" }>, state: ShellState, stdin: Stdin): void {
    const env: string[] = [];
    for (const item of node.prefix) {
      if (item.type !== "Assignment") continue;
      env.push(item.name);
      const value =
        item.value.type === "ArrayValue" ? this.arrayValues(item.value.elements, state) : this.assignmentValue(item.value, state);
      // Without a command the assignment changes the shell's own variable (and what programs inherit, if exported).
      if (!node.name) {
        if (value === null) state.variables.delete(item.name);
        else state.variables.set(item.name, value);
        state.exported.add(item.name);
      }
    }
    this.redirections(node.redirects, state);
    if (!node.name) return;
    const name = this.word(node.name, state);
    // `exec 3>/path` keeps fd 3 open on /path: a later `>&3` writes there.
    if (name.known && name.fields[0] === "exec" && node.suffix.every((item) => item.type !== "Word"))
      this.openDescriptors(node.redirects, state);
    const args: Array<string | null> = [];
    for (const argument of node.suffix) {
      if (argument.type === "Word") {
        const fields = this.word(argument, state);
        if (fields.known) args.push(...fields.fields);
        else args.push(null);
      } else if (argument.type === "Assignment") {
        // `export X=1`, `alias x='rm -rf /'`: the argument as the builtin receives it, quotes removed.
        const value =
          argument.value.type === "ArrayValue"
            ? this.arrayValues(argument.value.elements, state)
            : this.assignmentValue(argument.value, state);
        // An unknown value still names the variable (`export PATH=/x:$PATH` sets PATH, whatever it becomes).
        args.push(`${argument.name}=${value === null ? unknownValue : value.join(" ")}`);
      }
    }
    const input = redirectedStdin(node.redirects, stdin);
    if (!name.known) {
      this.facts.execs.push({ program: null, path: null, args, env: [...env, ...state.exported], via: [] });
      this.opaque("dynamic-name", `the program name ${name.text} is only known at run time`);
      return;
    }
    const [first = "", ...rest] = name.fields;
    const argv = [first, ...rest, ...args];
    const alias = state.aliases.get(first);
    if (alias !== undefined && node.name.parts === undefined && state.depth < limits.depth) {
      const inner = childState(state);
      this.script([alias, ...argv.slice(1).map((arg) => (arg === null ? '"$UNKNOWN"' : quote(arg)))].join(" "), inner);
      return;
    }
    const definition = state.functions.get(first);
    if (definition && state.depth < limits.depth) {
      const inner = childState(state);
      inner.positional = argv.slice(1);
      inner.positional.forEach((value, index) => {
        if (value === null) inner.variables.delete(String(index + 1));
        else inner.variables.set(String(index + 1), [value]);
      });
      const body = definition.body;
      if (body.type === "CompoundList") {
        this.list(body, inner);
        return;
      }
      this.command(body, inner, input);
      return;
    }
    runProgram(this, argv, { env: [...env, ...state.exported], via: [], stdin: input }, state);
  }

  private arrayValues(elements: readonly Word[], state: ShellState): string[] | null {
    const values: string[] = [];
    for (const element of elements) {
      const fields = this.word(element, state);
      if (!fields.known) return null;
      values.push(...fields.fields);
    }
    return values;
  }

  private assignmentValue(word: Word, state: ShellState): string[] | null {
    const fields = this.word(word, state);
    return fields.known ? [fields.fields.join(" ")] : null;
  }

  private openDescriptors(redirects: readonly Redirection[], state: ShellState): void {
    for (const redirect of redirects) {
      if (redirect.type !== "Redirect" || redirect.descriptor?.type !== "FileDescriptor" || !redirect.target) continue;
      const fields = this.word(redirect.target, state);
      state.fds.set(redirect.descriptor.value, fields.known ? this.resolve(fields.fields[0] ?? null, state) : null);
    }
  }

  /** Output redirections are writes; `/dev/tcp/...` is a connection; `N>&M` writes where fd M points. */
  redirections(redirects: readonly Redirection[], state: ShellState): void {
    for (const redirect of redirects) {
      if (redirect.type === "HereString" && redirect.target) this.word(redirect.target, state);
      if (redirect.type !== "Redirect" || !redirect.target) continue;
      const fields = this.word(redirect.target, state);
      const raw = fields.known ? (fields.fields[0] ?? "") : null;
      const writes = [">", ">>", ">|", "&>", "&>>", "<>"].includes(redirect.operator);
      if (raw !== null && /^\/dev\/(tcp|udp)\//.test(raw)) {
        this.facts.network.push(raw);
        continue;
      }
      if (redirect.operator === ">&" || redirect.operator === "<&") {
        if (raw !== null && /^\d+$/.test(raw)) {
          const target = state.fds.get(Number(raw));
          if (target !== undefined) this.path({ operation: "write", path: target, raw: `>&${raw}`, program: "bash" });
          continue;
        }
        if (raw === "-") continue;
      }
      if (!writes && redirect.operator !== ">&") continue;
      const path = raw === null ? null : this.resolve(raw, state);
      if (path === "/dev/null" || path === "/dev/stdout" || path === "/dev/stderr") continue;
      this.path({ operation: "write", path, raw: raw ?? redirect.target.text, program: "bash" });
    }
  }
}

/** Stdin after the command's own `<<`, `<<<` and `<` redirections. */
function redirectedStdin(redirects: readonly Redirection[], stdin: Stdin): Stdin {
  let input = stdin;
  for (const redirect of redirects) {
    if (redirect.type === "HereDoc") {
      const literal = redirect.delimiter?.quoted || !/[$`]/.test(redirect.body.text);
      input = { kind: "text", text: literal ? redirect.body.text : null };
    } else if (redirect.type === "HereString") {
      const parts = redirect.target?.parts;
      input = {
        kind: "text",
        text:
          redirect.target &&
          (!parts ||
            parts.every(
              (part) => part.type !== "CommandExpansion" && part.type !== "SimpleExpansion" && part.type !== "ParameterExpansion",
            ))
            ? redirect.target.value
            : null,
      };
    } else if (redirect.type === "Redirect" && redirect.operator === "<") {
      input = { kind: "pipe", from: "a file", text: null };
    }
  }
  return input;
}

/** The program of a pipeline stage, for messages. */
function pipeSource(node: CommandNode): string | null {
  return node.type === "Command" ? (node.name?.value ?? null) : null;
}

/** What a first stage like `echo a b` writes, when literal (`echo -e`/`-n` and escapes are not interpreted). */
function literalOutput(node: CommandNode, state: ShellState): string | null {
  if (node.type !== "Command" || !node.name || node.name.value !== "echo") return null;
  const words: string[] = [];
  for (const argument of node.suffix) {
    if (argument.type !== "Word") return null;
    const fields = evaluateWord(argument, { variables: state.variables, onScript: () => {} });
    if (!fields.known) return null;
    words.push(...fields.fields);
  }
  if (words[0]?.startsWith("-")) return null;
  return words.join(" ");
}

/** For a `find` stage: the trees whose entries it prints (its starting points), resolved; null when unknown. */
function findStarts(node: CommandNode, analysis: Analysis, state: ShellState): string[] | null {
  if (node.type !== "Command" || node.name?.value !== "find") return null;
  const starts: string[] = [];
  for (const argument of node.suffix) {
    if (argument.type !== "Word") continue;
    const fields = evaluateWord(argument, { variables: state.variables, onScript: () => {} });
    if (!fields.known) return null;
    const [first = ""] = fields.fields;
    if (/^[-(!]/.test(first)) break;
    for (const field of fields.fields) {
      const path = analysis.resolve(field, state);
      if (path === null) return null;
      starts.push(path);
    }
  }
  return starts.length > 0 ? starts : [analysis.resolve(".", state) ?? "."];
}

/** `:(){ :|:& };:` and its spellings: the function runs itself in a pipeline or in the background. */
function callsItselfConcurrently(node: FunctionNode): boolean {
  const name = node.name.value;
  let found = false;
  const visit = (value: unknown, concurrent: boolean): void => {
    if (found || !value || typeof value !== "object") return;
    const typed = value as { type?: string; background?: boolean; commands?: unknown[]; name?: { value?: string } };
    if (typed.type === "Command" && typed.name?.value === name && concurrent) {
      found = true;
      return;
    }
    const inPipeline = typed.type === "Pipeline" && (typed.commands?.length ?? 0) > 1;
    for (const child of Object.values(value)) {
      if (Array.isArray(child)) for (const item of child) visit(item, concurrent || inPipeline || typed.background === true);
      else visit(child, concurrent || inPipeline || typed.background === true);
    }
  };
  visit(node.body, false);
  return found;
}

/** A word for re-parsing an alias expansion. */
function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
