import { posix } from "node:path";
import { type Analysis, childState, type ShellState, unknownValue } from "./analyze-command.js";
import { runProgram } from "./program-models.js";

type Argv = Array<string | null>;

/** How one program (or builtin) affects the shell's state and paths, from its arguments. */
type Model = (analysis: Analysis, args: Argv, state: ShellState, program: string) => void;

/** Splits short option bundles and long options from operands (after `--`, everything is an operand). */
export function options(
  args: Argv,
  takesValue: Set<string> = new Set(),
): { flags: Set<string>; operands: Argv; values: Map<string, string | null> } {
  const flags = new Set<string>();
  const operands: Argv = [];
  const values = new Map<string, string | null>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string | null;
    if (arg === null) {
      operands.push(null);
      continue;
    }
    if (arg === "--") {
      operands.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const [name, value] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
      flags.add(name);
      if (value !== undefined) values.set(name, value);
      else if (takesValue.has(name)) values.set(name, args[++index] ?? null);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let letter = 1; letter < arg.length; letter++) {
        const flag = `-${arg[letter]}`;
        flags.add(flag);
        if (takesValue.has(flag)) {
          values.set(flag, letter + 1 < arg.length ? arg.slice(letter + 1) : (args[++index] ?? null));
          break;
        }
      }
      continue;
    }
    operands.push(arg);
  }
  return { flags, operands, values };
}

const hasGlob = (value: string) => /[*?[]/.test(value);

function addPaths(
  analysis: Analysis,
  state: ShellState,
  program: string,
  operation: "write" | "delete" | "chown",
  raws: Argv,
  recursive = false,
) {
  for (const raw of raws) {
    analysis.path({
      operation,
      path: analysis.resolve(raw, state),
      raw: raw ?? "(unknown)",
      recursive,
      glob: raw !== null && hasGlob(raw),
      program,
    });
  }
}

/** Builtins and programs whose effects are modelled, by name. */
export const models: Record<string, Model> = {
  cd: (analysis, args, state) => {
    const target = options(args).operands[0];
    if (target === undefined) state.cwd = analysis.options.home;
    else if (target === "-") state.cwd = null;
    else state.cwd = analysis.resolve(target, state);
  },
  pushd: (analysis, args, state) => models.cd?.(analysis, args, state, "cd"),
  export: (_analysis, args, state) => assignments(args, state),
  declare: (_analysis, args, state) => assignments(args, state),
  typeset: (_analysis, args, state) => assignments(args, state),
  local: (_analysis, args, state) => assignments(args, state),
  readonly: (_analysis, args, state) => assignments(args, state),
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
  ".": (analysis, args, state) => models.source?.(analysis, args, state, "source"),
  exec: (analysis, args, state) => {
    // exec's own options come first (`-a NAME` only sets argv[0]); the program and its arguments follow.
    let index = 0;
    while (index < args.length && args[index]?.startsWith("-") && args[index] !== "--") index += args[index] === "-a" ? 2 : 1;
    if (args[index] === "--") index++;
    const argv = args.slice(index);
    if (argv.length === 0) return;
    runProgram(analysis, argv, { env: [...state.exported], via: ["exec"], stdin: { kind: "none" } }, state);
  },
  rm: (analysis, args, state, program) => {
    const parsed = options(args);
    const recursive = ["-r", "-R", "--recursive"].some((flag) => parsed.flags.has(flag));
    addPaths(analysis, state, program, "delete", parsed.operands, recursive);
  },
  rmdir: (analysis, args, state, program) => addPaths(analysis, state, program, "delete", options(args).operands),
  unlink: (analysis, args, state, program) => addPaths(analysis, state, program, "delete", options(args).operands),
  shred: (analysis, args, state, program) => addPaths(analysis, state, program, "delete", options(args, new Set(["-n", "-s"])).operands),
  chown: ownership,
  chgrp: ownership,
  chmod: (analysis, args, state, program) => {
    const parsed = options(args, new Set(["--reference"]));
    // The mode is the first operand (`755`, `u+x`), unless it came as an option (`-x`) or from --reference.
    const first = parsed.operands[0];
    const files =
      first !== undefined && first !== null && /^([0-7]{3,4}|[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*)$/.test(first)
        ? parsed.operands.slice(1)
        : parsed.operands;
    addPaths(analysis, state, program, "write", files, parsed.flags.has("-R") || parsed.flags.has("--recursive"));
  },
  touch: (analysis, args, state, program) =>
    addPaths(analysis, state, program, "write", options(args, new Set(["-d", "-t", "-r"])).operands),
  mkdir: (analysis, args, state, program) => addPaths(analysis, state, program, "write", options(args, new Set(["-m"])).operands),
  tee: (analysis, args, state, program) => addPaths(analysis, state, program, "write", options(args).operands),
  truncate: (analysis, args, state, program) => addPaths(analysis, state, program, "write", options(args, new Set(["-s", "-r"])).operands),
  cp: copyLike("write"),
  install: copyLike("write"),
  mv: (analysis, args, state, program) => {
    const parsed = options(args, new Set(["-t", "-S"]));
    const target = parsed.values.get("-t") ?? parsed.values.get("--target-directory");
    const sources = target !== undefined ? parsed.operands : parsed.operands.slice(0, -1);
    // Moving a directory away removes its whole tree from where it was.
    addPaths(analysis, state, program, "delete", sources, true);
    addPaths(analysis, state, program, "write", [target !== undefined ? target : (parsed.operands.at(-1) ?? null)]);
  },
  ln: (analysis, args, state, program) => {
    const parsed = options(args, new Set(["-t", "-S"]));
    const symbolic = parsed.flags.has("-s") || parsed.flags.has("--symbolic");
    const [target = null, link = null] =
      parsed.operands.length === 1 ? [parsed.operands[0] ?? null, posix.basename(parsed.operands[0] ?? ".")] : parsed.operands;
    const linkPath = analysis.resolve(link, state);
    const targetPath =
      target === null
        ? null
        : symbolic && !target.startsWith("/") && linkPath
          ? posix.normalize(posix.join(posix.dirname(linkPath), target))
          : analysis.resolve(target, state);
    analysis.path({ operation: symbolic ? "symlink" : "hardlink", path: linkPath, raw: link ?? "(unknown)", target: targetPath, program });
  },
  dd: (analysis, args, state, program) => {
    for (const arg of args) {
      if (arg === null) analysis.path({ operation: "write", path: null, raw: "(unknown)", program });
      else if (arg.startsWith("of="))
        analysis.path({ operation: "write", path: analysis.resolve(arg.slice(3), state), raw: arg.slice(3), program });
    }
  },
  sed: (analysis, args, state, program) => {
    const parsed = options(args, new Set(["-e", "-f", "-l", "--expression", "--file"]));
    const inPlace = [...parsed.flags].some((flag) => flag === "-i" || flag === "--in-place");
    if (!inPlace) return;
    const files =
      parsed.values.has("-e") || parsed.values.has("-f") || parsed.values.has("--expression") ? parsed.operands : parsed.operands.slice(1);
    addPaths(analysis, state, program, "write", files);
  },
  find: runFind,
  rsync: (analysis, args, state, program) => {
    const parsed = options(args, new Set(["-e", "--rsh", "--exclude", "--include", "--filter", "-f"]));
    const destination = parsed.operands.at(-1) ?? null;
    const deletes = [...parsed.flags].some((flag) => flag.startsWith("--delete") || flag === "--remove-source-files");
    if (parsed.values.has("-e") || parsed.values.has("--rsh"))
      analysis.opaque("dynamic-script", "rsync -e runs a command of its own", { program });
    addPaths(analysis, state, program, deletes ? "delete" : "write", [destination], deletes);
  },
  tar: (analysis, rawArgs, state, program) => {
    // Old-style `tar czf FILE`: the first word is a bundle of options without the dash.
    const args = rawArgs[0] && /^[A-Za-z]+$/.test(rawArgs[0]) ? [`-${rawArgs[0]}`, ...rawArgs.slice(1)] : rawArgs;
    const joined = args.filter((arg): arg is string => arg !== null);
    const action = joined.find(
      (arg) => arg.startsWith("--checkpoint-action=exec=") || arg.startsWith("--to-command=") || arg.startsWith("--use-compress-program="),
    );
    if (action)
      analysis.script(action.slice(action.indexOf("=", action.indexOf("=") + 1) + 1 || action.indexOf("=") + 1), childState(state));
    const first = joined[0] ?? "";
    const extract = joined.some(
      (arg) =>
        arg === "-x" ||
        arg === "--extract" ||
        arg === "--get" ||
        (/^-?[a-zA-Z]+$/.test(arg) && arg.replace(/^-/, "").includes("x") && arg === first),
    );
    if (extract) analysis.opaque("archive", "tar extracts members whose paths are only known from the archive", { program });
    const parsed = options(args, new Set(["-f", "-C", "--file", "--directory"]));
    const file = parsed.values.get("-f") ?? parsed.values.get("--file");
    if (!extract && file !== undefined) addPaths(analysis, state, program, "write", [file]);
  },
  unzip: (analysis, _args, _state, program) =>
    analysis.opaque("archive", "unzip extracts members whose paths are only known from the archive", { program }),
  curl: downloader(["-o", "--output"]),
  wget: downloader(["-O", "--output-document"]),
  kill: () => {},
  pkill: () => {},
  killall: () => {},
  init: () => {},
  telinit: () => {},
  systemctl: () => {},
};

function assignments(args: Argv, state: ShellState): void {
  for (const arg of args) {
    if (arg === null || arg.startsWith("-") || !arg.includes("=")) continue;
    const name = arg.slice(0, arg.indexOf("="));
    const value = arg.slice(arg.indexOf("=") + 1);
    if (value.includes(unknownValue)) state.variables.delete(name);
    else state.variables.set(name, [value]);
    state.exported.add(name);
  }
}

function ownership(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args);
  const recursive = parsed.flags.has("-R") || parsed.flags.has("--recursive");
  // chown OWNER FILE...; with --reference=FILE there is no owner operand.
  const files = parsed.values.has("--reference") ? parsed.operands : parsed.operands.slice(1);
  addPaths(analysis, state, program, "chown", files, recursive);
}

function copyLike(operation: "write"): Model {
  return (analysis, args, state, program) => {
    const parsed = options(args, new Set(["-t", "-S", "-m", "-o", "-g", "--target-directory"]));
    const target = parsed.values.get("-t") ?? parsed.values.get("--target-directory");
    addPaths(analysis, state, program, operation, [target !== undefined ? target : (parsed.operands.at(-1) ?? null)]);
  };
}

function downloader(outputFlags: string[]): Model {
  return (analysis, args, state, program) => {
    const parsed = options(args, new Set(outputFlags));
    for (const flag of outputFlags) {
      const output = parsed.values.get(flag);
      if (output !== undefined && output !== "-") addPaths(analysis, state, program, "write", [output]);
    }
  };
}

/** `find` deletes with `-delete`, runs programs with `-exec`, writes with `-fprint`. */
function runFind(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  let index = 0;
  const starts: Argv = [];
  while (index < args.length && (args[index] === null || !/^[-(!)]/.test(args[index] as string))) starts.push(args[index++] ?? null);
  if (starts.length === 0) starts.push(".");
  for (; index < args.length; index++) {
    const arg = args[index];
    if (arg === "-delete") addPaths(analysis, state, program, "delete", starts, true);
    if (arg === "-fprint" || arg === "-fprint0" || arg === "-fprintf" || arg === "-fls")
      addPaths(analysis, state, program, "write", [args[index + 1] ?? null]);
    if (arg === "-exec" || arg === "-execdir" || arg === "-ok" || arg === "-okdir") {
      const command: Argv = [];
      for (index++; index < args.length && args[index] !== ";" && args[index] !== "+"; index++) command.push(args[index] ?? null);
      // The command runs on every entry under each start: as if on the start, recursively.
      for (const start of starts) {
        const argv = command.map((word) => (word === "{}" ? start : word));
        const before = analysis.facts.paths.length;
        runProgram(analysis, argv, { env: [...state.exported], via: ["find"], stdin: { kind: "none" } }, state);
        for (const fact of analysis.facts.paths.slice(before)) fact.recursive = true;
      }
    }
  }
}
