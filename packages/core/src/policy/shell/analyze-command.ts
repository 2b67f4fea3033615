import { posix } from "node:path";
import {
  type CommandNode,
  type CompoundList,
  type Function as FunctionNode,
  type ParsedScript,
  parse,
  type Statement,
  type Word,
} from "unbash";
import { type CommandFacts, emptyFacts, type OpaqueKind, type PathFact } from "./command-facts.js";
import { walkCompoundCommand } from "./compound-command.js";
import { findStarts } from "./find-program.js";
import { forkBombs } from "./fork-bombs.js";
import { assign, childState, newState, type ShellState } from "./shell-state.js";
import { evaluateWord, type Fields, type WordContext, walkPromptString } from "./shell-words.js";
import { analyzeSimpleCommand, literalOutput, scriptOutput } from "./simple-command.js";

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
export const limits = { bytes: 64 * 1024, depth: 12, loopValues: 32, commands: 5_000 };

/** What the command's stdin is, for the program that reads it. */
export type Stdin =
  | { kind: "none" }
  | { kind: "text"; text: string | null }
  /** `text`: what the stage before writes, when literal; `under`: the trees a `find` before prints the entries of. */
  | { kind: "pipe"; from: string | null; text: string | null; under?: string[] | null };

/**
 * The facts of a bash command, from its syntax tree (unbash): every program with its arguments after quote
 * removal and expansion of what is literal, wrappers unwrapped, nested scripts (`bash -c`, `eval`, heredocs,
 * substitutions anywhere in a word, functions, aliases, traps, prompt variables, loops over literal lists)
 * analysed recursively, paths resolved against the tracked cwd and home. The walk is closed: a construct it
 * does not know is reported as opaque, never skipped, and what cannot be known is never guessed.
 */
export function analyzeCommand(command: string, options: AnalysisOptions): CommandFacts {
  const analysis = new Analysis(options);
  if (command.length > limits.bytes) analysis.opaque("unparsable", `the command is over ${limits.bytes} bytes`);
  else {
    const state = newState(options.cwd);
    for (const [name, value] of Object.entries(options.variables ?? {})) assign(state, name, [value]);
    analysis.script(command, state);
    analysis.finish(state);
  }
  return analysis.facts;
}

export class Analysis {
  readonly facts: CommandFacts = emptyFacts();
  /** Commands walked so far: functions calling functions can multiply them, so the walk is bounded. */
  private walked = 0;
  /** Function calls being walked, for the depth bound (a function's body runs in its caller's state). */
  callDepth = 0;
  /** Functions defined, and those a call walked: the rest are walked once at the end (a later call may run them). */
  readonly defined = new Set<FunctionNode>();
  readonly called = new Set<FunctionNode>();
  /** Functions whose body is being walked now. */
  readonly active = new Set<FunctionNode>();
  /** EXIT trap actions: they run when the shell ends, with its final state. */
  private readonly exitTraps: string[] = [];
  /** `HOME` was assigned a value only known at run time: `~` is unknown. */
  homeUnknown = false;

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
    if (path === "~" || path.startsWith("~/")) {
      const home = this.home(state);
      if (home === null) return null;
      path = home + path.slice(1);
    } else if (path.startsWith("~")) return null;
    if (!path.startsWith("/")) {
      if (state.cwd === null) return null;
      path = posix.join(state.cwd, path);
    }
    const normalized = posix.normalize(path);
    return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
  }

  /** What `~` expands to: the HOME the script set, else the target's. */
  home(state: ShellState): string | null {
    const assigned = state.variables.get("HOME");
    if (assigned !== undefined) return assigned.join(" ");
    return this.homeUnknown ? null : this.options.home;
  }

  /** Parses and walks a script; a parse error makes it opaque. */
  script(text: string, state: ShellState, stdin: Stdin = { kind: "none" }): void {
    if (state.depth > limits.depth) {
      this.opaque("unparsable", "nested too deeply");
      return;
    }
    const parsed = parse(text);
    if (parsed.errors && parsed.errors.length > 0) {
      this.opaque("unparsable", `bash syntax error: ${parsed.errors[0]?.message}`);
    }
    this.statements(parsed.commands, state, stdin);
  }

  /** A script nested in a word (`$(...)`, `<(...)`, `>(...)`): a subshell; `>(...)` reads what is written to it. */
  parsed(script: ParsedScript | undefined, text: string, state: ShellState, stdin: Stdin = { kind: "none" }): void {
    if (!script) {
      this.opaque("unparsable", `cannot parse ${text}`);
      return;
    }
    if (script.errors && script.errors.length > 0) this.opaque("unparsable", `bash syntax error in ${text}`);
    this.statements(script.commands, childState(state), stdin);
  }

  statements(statements: readonly Statement[], state: ShellState, stdin: Stdin = { kind: "none" }): void {
    for (const statement of statements) {
      // A background job runs alongside the rest: its effects count all the same.
      this.node(statement.command, statement.background ? childState(state) : state, stdin);
    }
  }

  list(list: CompoundList, state: ShellState, stdin: Stdin = { kind: "none" }): void {
    this.statements(list.commands, state, stdin);
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
            text: index === 0 ? literalOutput(command, this, state) : null,
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
    if (node.type === "Command") analyzeSimpleCommand(this, node, state, stdin);
    else walkCompoundCommand(this, node, state, stdin);
  }

  /** A word's fields; scripts anywhere inside it are analysed as they would run. */
  word(word: Word, state: ShellState): Fields {
    return evaluateWord(word, this.wordContext(state));
  }

  /** A word's fields without recording what it runs: a second look at a word the walk visits anyway. */
  value(word: Word, state: ShellState): Fields {
    return evaluateWord(word, { ...this.wordContext(state), onScript: () => {}, onRisk: () => {} });
  }

  wordContext(state: ShellState): WordContext {
    return {
      variables: state.variables,
      integers: state.integers,
      associative: state.associative,
      ifsChanged: state.ifsChanged,
      onScript: (script, text, how) => this.parsed(script, text, state, how?.feeds ? unknownPipe("the command") : { kind: "none" }),
      onRisk: (detail) => this.opaque("dynamic-script", detail),
      onAssign: (name, how) => assign(state, name, null, how),
      output: (script) => scriptOutput(script, this, state),
    };
  }

  /** Text bash expands as a prompt (PS1, PS4, `${x@P}`): what it runs, in a subshell's state. */
  prompt(text: string, state: ShellState): void {
    walkPromptString(text, this.wordContext(childState(state)));
  }

  /** An EXIT trap's action: it runs as the shell ends. */
  onExit(action: string): void {
    this.exitTraps.push(action);
  }

  /**
   * The end of the command: EXIT traps run with the final state; functions defined but not called here are
   * walked once with unknown arguments (a later call, or bash itself for `command_not_found_handle`, runs them).
   */
  finish(state: ShellState): void {
    for (const action of this.exitTraps.splice(0)) this.script(action, childState(state));
    for (const definition of this.defined) {
      if (this.called.has(definition)) continue;
      const inner = childState(state);
      inner.positional = [];
      for (let index = 1; index <= 9; index++) inner.variables.delete(String(index));
      const body = definition.body;
      if (body.type === "CompoundList") this.list(body, inner);
      else this.command(body, inner, { kind: "none" });
    }
    // Every function defined anywhere (a `bash -c` or an `eval` too), by name.
    if (forkBombs(new Map([...this.defined].map((definition) => [definition.name.value, definition])))) this.facts.forkBomb = true;
  }
}

/** Stdin fed by something whose output is not known (a coprocess's writer, the command before `>(...)`). */
export function unknownPipe(from: string): Stdin {
  return { kind: "pipe", from, text: null };
}

/** The program of a pipeline stage, for messages. */
function pipeSource(node: CommandNode): string | null {
  return node.type === "Command" ? (node.name?.value ?? null) : null;
}
