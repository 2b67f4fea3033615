import type { Function as FunctionNode } from "unbash";

/** The shell's state as the analysis walks the script. A variable absent from `variables` is unknown. */
export interface ShellState {
  cwd: string | null;
  variables: Map<string, string[]>;
  /** Names known to hold an integer, even when the value is not known. */
  integers: Set<string>;
  /** `declare -i` names: what is assigned to them is evaluated as arithmetic. */
  integerAttribute: Set<string>;
  /** `declare -A` names. */
  associative: Set<string>;
  /** `declare -n name=target`: assigning name assigns target. */
  namerefs: Map<string, string>;
  /** IFS was assigned: unquoted expansions split where the analysis cannot follow. */
  ifsChanged: boolean;
  /** CDPATH was assigned: `cd name` may go anywhere it lists. */
  cdpath: boolean;
  functions: Map<string, FunctionNode>;
  aliases: Map<string, string>;
  /** `hash -p /path name`: running name runs /path. */
  hashed: Map<string, string>;
  /** File descriptors opened for writing with `exec N>file`. */
  fds: Map<number, string | null>;
  /** Variables the script exported or changed that programs inherit. */
  exported: Set<string>;
  positional: Array<string | null>;
  /** `pushd`'s stack, top first (the cwd is not on it). */
  directories: Array<string | null>;
  /** Names made local in the function being walked, with the values to restore when it returns. */
  locals: Map<string, string[] | undefined> | undefined;
  depth: number;
}

export function newState(cwd: string | null): ShellState {
  const state: ShellState = {
    cwd: null,
    variables: new Map(),
    integers: new Set(),
    integerAttribute: new Set(),
    associative: new Set(),
    namerefs: new Map(),
    ifsChanged: false,
    cdpath: false,
    functions: new Map(),
    aliases: new Map(),
    hashed: new Map(),
    fds: new Map(),
    exported: new Set(),
    positional: [],
    directories: [],
    locals: undefined,
    depth: 0,
  };
  setCwd(state, cwd);
  state.variables.delete("OLDPWD");
  return state;
}

/** A copy for a subshell or a nested script: nothing it changes leaks back. */
export function childState(state: ShellState): ShellState {
  return {
    ...state,
    variables: new Map(state.variables),
    integers: new Set(state.integers),
    integerAttribute: new Set(state.integerAttribute),
    associative: new Set(state.associative),
    namerefs: new Map(state.namerefs),
    functions: new Map(state.functions),
    aliases: new Map(state.aliases),
    hashed: new Map(state.hashed),
    fds: new Map(state.fds),
    exported: new Set(state.exported),
    directories: [...state.directories],
    depth: state.depth + 1,
  };
}

/** Moves the shell; `$PWD` and `$OLDPWD` follow as `cd` sets them. */
export function setCwd(state: ShellState, cwd: string | null): void {
  const previous = state.cwd;
  state.cwd = cwd;
  if (previous === null) state.variables.delete("OLDPWD");
  else state.variables.set("OLDPWD", [previous]);
  if (cwd === null) state.variables.delete("PWD");
  else state.variables.set("PWD", [cwd]);
}

/**
 * Assigns a variable (null: a value only known at run time). Through a nameref the target changes; IFS makes
 * later unquoted expansions unknowable; a name local to the function being walked is remembered.
 */
export function assign(state: ShellState, name: string, value: string[] | null, how: { integer?: boolean } = {}): void {
  const target = state.namerefs.get(name);
  if (target !== undefined) {
    // Which variable a nameref reaches can change at run time: both become unknown.
    state.variables.delete(name);
    assign(state, target, null);
    return;
  }
  if (name === "IFS") state.ifsChanged = true;
  if (value === null) state.variables.delete(name);
  else state.variables.set(name, value);
  if (how.integer || value?.every((item) => /^-?\d+$/.test(item))) state.integers.add(name);
  else state.integers.delete(name);
}
