import type { Analysis } from "./analyze-command.js";
import { walkArithmeticText } from "./arithmetic.js";
import { options } from "./option-parser.js";
import type { Argv } from "./program-model.js";
import { runProgram } from "./program-models.js";
import { assignmentHooks, trapBuiltin } from "./shell-hooks.js";
import { assign, childState, type ShellState, setCwd } from "./shell-state.js";
import { arithmeticContext } from "./shell-words.js";
import { subscriptOf } from "./test-expressions.js";

type Model = (analysis: Analysis, args: Argv, state: ShellState) => void;

/** Stands for a value only known at run time inside an `export NAME=...` argument (see simple-command.ts). */
const unknownValue = "\u0000unknown";

/**
 * Builtins, by what they do to the shell's state: the variables they assign (`read`, `printf -v`, `mapfile`
 * make them unknown), the directory (`cd`, `pushd`, `popd`), the code they run (`eval`, `trap`, `let`,
 * `mapfile -C`), and the attributes that change how later assignments are evaluated (`declare -i`, `-n`, `-A`).
 */
export const builtins: Record<string, Model> = {
  cd: (analysis, args, state) => changeDirectory(analysis, options(args, { values: [] }).operands[0], state),
  pushd: (analysis, args, state) => {
    const target = options(args).operands[0];
    if (target === undefined) {
      // Swaps the top two.
      const top = state.directories.shift();
      if (top === undefined) return;
      state.directories.unshift(state.cwd);
      setCwd(state, top);
      return;
    }
    if (target === null || /^[+-]\d+$/.test(target)) {
      state.directories.unshift(state.cwd);
      setCwd(state, null);
      return;
    }
    const from = state.cwd;
    changeDirectory(analysis, target, state);
    state.directories.unshift(from);
  },
  popd: (_analysis, args, state) => {
    const operand = options(args).operands[0];
    if (operand !== undefined) {
      // `popd +N` removes an entry; the directory stays.
      if (operand === null || !/^[+-]0$/.test(operand)) {
        state.directories = state.directories.map(() => null);
        return;
      }
    }
    if (state.directories.length === 0) return;
    setCwd(state, state.directories.shift() ?? null);
  },
  dirs: (_analysis, args, state) => {
    if (options(args).flags.has("-c")) state.directories = [];
  },
  export: (analysis, args, state) => declare(analysis, args, state, { export: true }),
  declare: (analysis, args, state) => declare(analysis, args, state, {}),
  typeset: (analysis, args, state) => declare(analysis, args, state, {}),
  local: (analysis, args, state) => declare(analysis, args, state, { local: true }),
  readonly: (analysis, args, state) => declare(analysis, args, state, {}),
  unset: (analysis, args, state) => {
    const parsed = options(args);
    if (parsed.flags.has("-f")) {
      for (const name of parsed.operands) if (name !== null) state.functions.delete(name);
      return;
    }
    // An unset variable expands to nothing; `unset 'a[...]'` evaluates the subscript.
    for (const name of parsed.operands) {
      if (name === null) continue;
      if (name.includes("[")) assignElement(analysis, name, state);
      else assign(state, name, [""]);
    }
  },
  unalias: (_analysis, args, state) => {
    for (const name of args) if (name !== null) state.aliases.delete(name);
  },
  read: (analysis, args, state) => {
    const parsed = options(args, { values: ["-a", "-d", "-i", "-n", "-N", "-p", "-t", "-u"] });
    for (const name of [...parsed.operands, parsed.values.get("-a") ?? undefined]) if (name) assignElement(analysis, name, state);
    if (parsed.operands.length === 0 && !parsed.values.has("-a")) assign(state, "REPLY", null);
  },
  mapfile: (analysis, args, state) => readLines(analysis, args, state),
  readarray: (analysis, args, state) => readLines(analysis, args, state),
  printf: (analysis, args, state) => {
    const target = options(args, { values: ["-v"] }).values.get("-v");
    if (target !== undefined && target !== null) assignElement(analysis, target, state);
  },
  getopts: (_analysis, args, state) => {
    const name = args[1];
    if (name) assign(state, name, null);
    assign(state, "OPTARG", null);
  },
  let: (analysis, args, state) => {
    for (const arg of args) {
      if (arg === null) {
        analysis.opaque("dynamic-script", "let evaluates an expression only known at run time");
        continue;
      }
      walkArithmeticText(arg, arithmeticContext(analysis.wordContext(state)));
      const target = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)/.exec(arg)?.[1];
      if (target) assign(state, target, null, { integer: true });
    }
  },
  hash: (_analysis, args, state) => {
    const parsed = options(args, { values: ["-p"] });
    if (parsed.flags.has("-r")) state.hashed.clear();
    const path = parsed.values.get("-p");
    if (path === undefined) return;
    for (const name of parsed.operands) if (name !== null) state.hashed.set(name, path ?? "");
  },
  trap: (analysis, args, state) => trapBuiltin(analysis, args, state),
  enable: (analysis, args, state) => {
    const file = options(args, { values: ["-f"] }).values.get("-f");
    if (file !== undefined)
      analysis.opaque("script-file", `enable -f loads ${file ?? "a shared object"} into the shell as a builtin`, {
        paths: [analysis.resolve(file, state)],
      });
  },
  complete: (analysis, args, state) => completion(analysis, args, state),
  compgen: (analysis, args, state) => completion(analysis, args, state),
  bind: (analysis, args, state) => {
    // `bind -x 'keyseq: command'` runs the command when the key is pressed.
    const binding = options(args, { values: ["-x", "-m", "-f", "-q", "-u", "-r"] }).values.get("-x");
    if (binding === undefined) return;
    if (binding === null) analysis.opaque("dynamic-script", "bind -x with a command only known at run time");
    else
      analysis.script(
        binding
          .slice(binding.indexOf(":") + 1)
          .trim()
          .replace(/^"(.*)"$/s, "$1"),
        childState(state),
      );
  },
  set: (_analysis, args, state) => {
    // `set -- a b` sets the positional parameters.
    const at = args.indexOf("--");
    if (at === -1) return;
    setPositional(state, args.slice(at + 1));
  },
  shift: (_analysis, args, state) => {
    const count = Number(args[0] ?? 1);
    setPositional(state, Number.isInteger(count) ? state.positional.slice(count) : state.positional.map(() => null));
  },
  test: (analysis, args, state) => testBuiltin(analysis, args, state),
  "[": (analysis, args, state) => testBuiltin(analysis, args, state),
  eval: (analysis, args, state) => {
    if (args.some((arg) => arg === null)) analysis.opaque("dynamic-script", "eval of text only known at run time", { program: "eval" });
    else analysis.script(args.join(" "), state);
  },
  source: (analysis, args, state) => {
    analysis.opaque("script-file", `source runs ${args[0] ?? "a file"} in this shell`, {
      program: "source",
      paths: [analysis.resolve(args[0] ?? null, state)],
    });
  },
  ".": (analysis, args, state) => builtins.source?.(analysis, args, state),
  exec: (analysis, args, state) => {
    // exec's own options come first (`-a NAME` only sets argv[0]); the program and its arguments follow.
    let index = 0;
    while (index < args.length && args[index]?.startsWith("-") && args[index] !== "--") index += args[index] === "-a" ? 2 : 1;
    if (args[index] === "--") index++;
    const argv = args.slice(index);
    if (argv.length === 0) return;
    runProgram(analysis, argv, { env: [...state.exported], via: ["exec"], stdin: { kind: "none" } }, state);
  },
  alias: (analysis, args, state) => {
    for (const arg of args) {
      if (arg === null || !arg.includes("=")) continue;
      const body = arg.slice(arg.indexOf("=") + 1);
      if (body.includes(unknownValue)) {
        analysis.opaque("dynamic-script", `alias ${arg.slice(0, arg.indexOf("="))} runs text only known at run time`, { program: "alias" });
        continue;
      }
      state.aliases.set(arg.slice(0, arg.indexOf("=")), body);
      // Defining it is harmless; running it later is what counts, and may come from a line we cannot see.
      analysis.script(body, childState(state));
    }
  },
  history: (analysis, args, state) => {
    const parsed = options(args);
    if (!parsed.flags.has("-w") && !parsed.flags.has("-a")) return;
    const file = parsed.operands[0] ?? state.variables.get("HISTFILE")?.join(" ") ?? "~/.bash_history";
    analysis.path({ operation: "write", path: analysis.resolve(file, state), raw: file ?? "$HISTFILE", program: "history" });
  },
};

function changeDirectory(analysis: Analysis, target: string | null | undefined, state: ShellState): void {
  if (target === undefined) {
    setCwd(state, analysis.home(state));
    return;
  }
  if (target === "-") {
    setCwd(state, state.variables.get("OLDPWD")?.join(" ") ?? null);
    return;
  }
  // With CDPATH set, a relative name may be found under any of its directories.
  if (target !== null && state.cdpath && !/^(\/|\.\.?(\/|$))/.test(target)) {
    setCwd(state, null);
    return;
  }
  setCwd(state, analysis.resolve(target, state));
}

/** `declare`/`typeset`/`local`/`export`/`readonly` with their attributes, then the assignments. */
function declare(analysis: Analysis, args: Argv, state: ShellState, how: { export?: boolean; local?: boolean }): void {
  const flags = new Set<string>();
  const names: Array<{ name: string; value: string | null | undefined }> = [];
  for (const arg of args) {
    if (arg === null) continue;
    if (/^[-+][a-zA-Z]+$/.test(arg)) {
      if (arg.startsWith("-")) for (const letter of arg.slice(1)) flags.add(letter);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const value = equals === -1 ? undefined : arg.slice(equals + 1);
    names.push({ name: name.replace(/\[.*$/, ""), value: value === undefined ? undefined : value.includes(unknownValue) ? null : value });
  }
  if (flags.has("f")) return;
  for (const { name, value } of names) {
    if (how.local && state.locals && !state.locals.has(name)) state.locals.set(name, state.variables.get(name));
    if (flags.has("n")) {
      state.namerefs.set(name, value ?? "");
      state.variables.delete(name);
      if (value === null) analysis.opaque("dynamic-script", `declare -n ${name} refers to a variable named at run time`);
      // Every use of the nameref evaluates its target's subscript.
      else if (value !== undefined) subscriptOf(analysis, value, state);
      continue;
    }
    if (flags.has("A")) state.associative.add(name);
    if (flags.has("i")) {
      state.integerAttribute.add(name);
      if (value !== undefined && value !== null) walkArithmeticText(value, arithmeticContext(analysis.wordContext(state)));
      else if (value === null)
        analysis.opaque("dynamic-script", `declare -i ${name} evaluates a value only known at run time as arithmetic`);
      assign(state, name, null, { integer: true });
      continue;
    }
    if (value !== undefined) {
      if (state.integerAttribute.has(name)) {
        if (value === null)
          analysis.opaque("dynamic-script", `${name} is an integer variable: a value only known at run time is evaluated as arithmetic`);
        else walkArithmeticText(value, arithmeticContext(analysis.wordContext(state)));
        assign(state, name, null, { integer: true });
      } else assign(state, name, value === null ? null : [value]);
      assignmentHooks(analysis, name, value === null ? null : [value], state);
    } else if (how.local) assign(state, name, [""]);
    if (how.export || flags.has("x")) state.exported.add(name);
  }
}

/** Assigns a variable or an array element from run-time data; an element's subscript is evaluated. */
function assignElement(analysis: Analysis, name: string, state: ShellState): void {
  if (name.includes("[")) subscriptOf(analysis, name, state);
  assign(state, name.replace(/\[.*$/, ""), null);
}

/** `complete -C command` runs the command to list completions. */
function completion(analysis: Analysis, args: Argv, state: ShellState): void {
  const command = options(args, { values: ["-C", "-F", "-G", "-W", "-X", "-P", "-S", "-A", "-o"] }).values.get("-C");
  if (command === null) analysis.opaque("dynamic-script", "complete -C with a command only known at run time");
  else if (command !== undefined) analysis.script(command, childState(state));
}

function readLines(analysis: Analysis, args: Argv, state: ShellState): void {
  const parsed = options(args, { values: ["-d", "-n", "-O", "-s", "-u", "-C", "-c"] });
  const callback = parsed.values.get("-C");
  if (callback === null) analysis.opaque("dynamic-script", "mapfile -C runs a callback only known at run time");
  else if (callback !== undefined) analysis.script(`${callback} 0 line`, childState(state));
  assign(state, parsed.operands[0] ?? "MAPFILE", null);
}

function setPositional(state: ShellState, values: Argv): void {
  for (let index = 1; index <= Math.max(state.positional.length, values.length, 9); index++) {
    const value = values[index - 1];
    assign(state, String(index), value === undefined ? [""] : value === null ? null : [value]);
  }
  state.positional = values;
  const known = values.every((value) => value !== null);
  assign(state, "@", known ? (values as string[]) : null);
  assign(state, "#", [String(values.length)]);
}

/** `test`/`[`: `-v name[subscript]` evaluates the subscript; nothing else runs. */
function testBuiltin(analysis: Analysis, args: Argv, state: ShellState): void {
  for (let index = 0; index < args.length; index++) {
    if (args[index] !== "-v") continue;
    const operand = args[index + 1];
    if (operand === null)
      analysis.opaque("dynamic-script", "test -v of a name only known at run time (a name such as a[$(...)] runs a command)");
    else if (operand !== undefined) subscriptOf(analysis, operand, state);
  }
}
