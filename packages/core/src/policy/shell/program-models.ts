import { posix } from "node:path";
import type { Analysis, Stdin } from "./analyze-command.js";
import { builtins } from "./builtin-models.js";
import { commandPrograms } from "./command-programs.js";
import { models } from "./path-programs.js";
import type { Argv } from "./program-model.js";
import { environmentHooks } from "./shell-hooks.js";
import { childState, type ShellState, setCwd } from "./shell-state.js";
import { splitEnvString, unwrap } from "./wrappers.js";

export interface RunContext {
  env: string[];
  via: string[];
  stdin: Stdin;
}

const shells = new Set(["bash", "sh", "dash", "zsh", "ksh", "ksh93", "ash", "mksh", "yash", "posh", "fish", "csh", "tcsh", "busybox-sh"]);
/** Interpreters and the options that take inline code. */
const interpreters: Record<string, string[]> = {
  python: ["-c"],
  perl: ["-e", "-E"],
  ruby: ["-e"],
  node: ["-e", "--eval", "-p", "--print"],
  nodejs: ["-e", "--eval", "-p", "--print"],
  php: ["-r"],
  lua: ["-e"],
  Rscript: ["-e"],
  deno: ["eval"],
  bun: ["-e", "--eval"],
};
/** Programs that only read their path arguments (or none). */
const readOnly = new Set(
  (
    "cat less more head tail grep egrep fgrep rg ls dir stat wc diff cmp file du df echo printf pwd which whereis type " +
    "test [ true false : cut tr jq md5sum sha1sum sha256sum sha512sum readlink realpath basename dirname id whoami " +
    "groups date uname ps top free uptime printenv locale nproc seq yes sleep tree column nl od hexdump " +
    "strings base64 comm paste fold fmt rev tac expr bc cal getent lsof pgrep history help"
  ).split(" "),
);
/** Builtins that change only the shell's own state. */
const stateBuiltins = new Set(["set", "shopt", "unset", "wait", "exit", "return", "shift", "trap", "umask", "hash", "true", "false", ":"]);
const powerPrograms = new Set(["shutdown", "reboot", "halt", "poweroff"]);

/** The facts of running `argv`: the exec itself, then what the program is known to do. */
export function runProgram(analysis: Analysis, argv: Argv, context: RunContext, state: ShellState): void {
  const path = argv[0] ?? null;
  if (path === null) {
    analysis.facts.execs.push({ program: null, path: null, args: argv.slice(1), env: context.env, via: context.via });
    analysis.opaque("dynamic-name", "a program name only known at run time");
    return;
  }
  const program = posix.basename(path);
  const args = argv.slice(1);
  analysis.facts.execs.push({ program, path, args, env: context.env, via: context.via });
  if (commandOptions[program] && runsOptionScript(analysis, program, args, state)) return;
  const wrapped = unwrap(program, args);
  if (wrapped) {
    for (const write of wrapped.writes ?? []) {
      analysis.path({ operation: "write", path: analysis.resolve(write, state), raw: write ?? "(unknown)", program });
    }
    for (const { name, value } of wrapped.assignments) environmentHooks(analysis, name, value, state);
    const env = [...context.env, ...wrapped.env];
    if (wrapped.argv.length === 0) return;
    if (wrapped.cwd !== undefined) {
      // `env -C DIR prog`, `sudo -D DIR`: the program's relative paths start there (chroot: nowhere we know).
      const moved = childState(state);
      setCwd(moved, wrapped.cwd === null ? null : analysis.resolve(wrapped.cwd, state));
      runProgram(analysis, wrapped.argv, { ...context, env, via: [...context.via, program] }, moved);
      return;
    }
    if (program === "xargs") {
      runXargs(analysis, wrapped.argv, { ...context, env, via: [...context.via, program] }, state, wrapped);
      return;
    }
    if (wrapped.splitFirst) {
      const split = splitEnvString(wrapped.argv[0] ?? null);
      if (split === null) {
        analysis.opaque("dynamic-script", "env -S with a string only known at run time", { program });
        return;
      }
      runProgram(analysis, [...split, ...wrapped.argv.slice(1)], { ...context, env, via: [...context.via, program] }, state);
      return;
    }
    runProgram(analysis, wrapped.argv, { ...context, env, via: [...context.via, program] }, state);
    return;
  }
  if (program === "parallel") {
    analysis.opaque("dynamic-script", "GNU parallel builds the commands it runs from its input", { program });
    return;
  }
  const interpreter = interpreterName(program);
  if (shells.has(program)) {
    runShell(analysis, program, args, context, state);
    return;
  }
  if (interpreter) {
    runInterpreter(analysis, program, interpreter, args, context);
    // What a script or module does with its path arguments (`python3 -m venv /opt/venv`) is not modelled.
    unmodelled(analysis, program, args, state);
    return;
  }
  const builtin = builtins[program];
  if (builtin) {
    builtin(analysis, args, state);
    return;
  }
  const model = commandPrograms[program] ?? models[program];
  if (model) {
    model(analysis, args, state, program, context.stdin);
    return;
  }
  if (powerPrograms.has(program) || stateBuiltins.has(program) || readOnly.has(program)) return;
  if (/^mkfs(\.|$)|^mke2fs$|^mkswap$/.test(program)) return;
  unmodelled(analysis, program, args, state);
}

/** Programs that run a shell script given as an option's value. */
const commandOptions: Record<string, string[]> = {
  su: ["-c", "--command", "--session-command"],
  runuser: ["-c", "--command", "--session-command"],
  sg: ["-c"],
  script: ["-c", "--command"],
  flock: ["-c", "--command"],
};

/**
 * `su -c 'rm -rf /'`, `runuser -c`, `sg group -c`, `script -c`, `flock FILE -c`: the option's value is a
 * shell script (the option alone, `--command=...`, or last in a bundle such as `script -qc`). True when the
 * program was handled this way.
 */
function runsOptionScript(analysis: Analysis, program: string, args: Argv, state: ShellState): boolean {
  const option = commandOptions[program] ?? [];
  const letters = option.filter((name) => name.length === 2).map((name) => name[1]);
  const index = args.findIndex(
    (arg) =>
      arg !== null &&
      (option.includes(arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg) ||
        (/^-[A-Za-z]+$/.test(arg) && letters.includes(arg.at(-1)))),
  );
  if (index < 0) {
    if (program === "flock" || !args.includes("--")) return false;
    // `runuser -u USER -- command...`, `su USER -- ...`: what follows `--` runs as a program.
    runProgram(analysis, args.slice(args.indexOf("--") + 1), { env: [...state.exported], via: [program], stdin: { kind: "none" } }, state);
    return true;
  }
  const arg = args[index] as string;
  const script = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : (args[index + 1] ?? null);
  if (script === null) analysis.opaque("dynamic-script", `${program} ${arg} with a script only known at run time`, { program });
  else analysis.script(script, childState(state));
  return true;
}

/** The interpreter family of a program name (`python3.11` is python). */
function interpreterName(program: string): string | undefined {
  if (/^python[0-9.]*$/.test(program)) return "python";
  if (/^(perl|ruby|php|lua)[0-9.]*$/.test(program)) return program.replace(/[0-9.]+$/, "");
  return program in interpreters ? program : undefined;
}

function runShell(analysis: Analysis, program: string, args: Argv, context: RunContext, state: ShellState): void {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? null;
    if (arg === null) {
      analysis.opaque("dynamic-script", `${program} with an argument only known at run time`, { program });
      return;
    }
    if (arg === "-c" || (/^-[a-z]*c[a-z]*$/.test(arg) && !arg.startsWith("--"))) {
      const script = args[index + 1];
      if (script === null || script === undefined) {
        analysis.opaque("dynamic-script", `${program} -c with a script only known at run time`, { program });
      } else {
        analysis.script(script, childState(state));
      }
      return;
    }
    if (arg === "-o" || arg === "+o" || arg === "-O" || arg === "+O") {
      index++;
      continue;
    }
    if (arg.startsWith("-") || arg.startsWith("+")) continue;
    analysis.opaque("script-file", `${program} runs the script file ${arg}, whose contents are not checked`, {
      program,
      paths: [analysis.resolve(arg, state)],
    });
    return;
  }
  // No script argument: the shell runs its stdin.
  if (context.stdin.kind === "text") {
    if (context.stdin.text === null) {
      analysis.opaque("dynamic-script", `${program} reads a script built at run time`, { program });
      return;
    }
    analysis.script(context.stdin.text, childState(state));
    return;
  }
  if (context.stdin.kind === "pipe" && context.stdin.text !== null) {
    // `echo 'rm -rf /' | bash`: the script is literal after all.
    analysis.script(context.stdin.text, childState(state));
    return;
  }
  if (context.stdin.kind === "pipe") {
    analysis.opaque("dynamic-script", `${program} runs what ${context.stdin.from ?? "another command"} writes to it`, { program });
    return;
  }
}

function runInterpreter(analysis: Analysis, program: string, family: string, args: Argv, context: RunContext): void {
  const inline = interpreters[family] ?? [];
  for (const arg of args) {
    if (arg === null) continue;
    // `-c`, `-ccode`, and bundles such as `python3 -Ic` or `perl -ne`: any short option among them that takes code.
    const letters = inline.filter((option) => option.length === 2).map((option) => option[1]);
    const bundle = /^-[A-Za-z]+$/.test(arg) && [...arg.slice(1)].some((letter) => letters.includes(letter));
    if (inline.includes(arg) || bundle || inline.some((option) => option.length === 2 && arg.startsWith(option) && !arg.startsWith("--"))) {
      analysis.opaque("inline-code", `${program} ${arg} runs code written inline`, { program });
      return;
    }
    // `-m module` and a script file are programs by name; stop at the first operand.
    if (!arg.startsWith("-")) return;
    if (arg === "-m") return;
  }
  if (context.stdin.kind !== "none") analysis.opaque("inline-code", `${program} runs code fed on its stdin`, { program });
}

function runXargs(
  analysis: Analysis,
  argv: Argv,
  context: RunContext,
  state: ShellState,
  wrapped: { inputFile?: boolean; replace?: string | null },
): void {
  const stdin = context.stdin;
  const text = (stdin.kind === "pipe" || stdin.kind === "text") && !wrapped.inputFile ? stdin.text : null;
  const input = text === null ? null : wrapped.replace !== undefined ? text.split("\n").filter(Boolean) : text.split(/\s+/).filter(Boolean);
  if (input !== null && wrapped.replace !== undefined) {
    // `xargs -I%`: one command per input line, with the line in place of %.
    if (wrapped.replace === null)
      analysis.opaque("runtime-arguments", "xargs -I with a replace string only known at run time", { program: "xargs" });
    for (const item of input)
      runProgram(
        analysis,
        argv.map((word) => (word === null || wrapped.replace == null ? word : word.split(wrapped.replace).join(item))),
        context,
        state,
      );
    return;
  }
  if (input === null) {
    // Fed by find: the arguments are the entries of its trees, so the effect is the trees', recursively.
    const trees = stdin.kind === "pipe" && stdin.from === "find" ? stdin.under : undefined;
    if (!trees) {
      analysis.opaque("runtime-arguments", `xargs gives ${argv[0] ?? "a program"} arguments read at run time`, {
        program: argv[0] ?? "xargs",
      });
    }
    const before = analysis.facts.paths.length;
    const replaced = wrapped.replace ? argv.map((word) => (word?.includes(wrapped.replace as string) ? null : word)) : argv;
    runProgram(analysis, [...replaced, ...(trees ?? [null])], context, state);
    if (trees !== undefined) for (const fact of analysis.facts.paths.slice(before)) fact.recursive = true;
    return;
  }
  runProgram(analysis, [...argv, ...input], context, state);
}

/** A program this analysis does not model: its path-like arguments are reported, resolved. */
export function unmodelled(analysis: Analysis, program: string, args: Argv, state: ShellState): void {
  const paths = args.flatMap((arg) => {
    if (arg === null) return [null];
    const value = arg.startsWith("-") ? (arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : "") : arg;
    return looksLikePath(value) ? [analysis.resolve(value, state)] : [];
  });
  analysis.opaque("unmodelled-program", `the effects of ${program} on its arguments are not modelled`, { program, paths });
}

function looksLikePath(value: string): boolean {
  return value.includes("/") || value.startsWith("~") || value === "." || value === "..";
}
