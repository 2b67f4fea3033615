import { Analysis, type Stdin } from "./analyze-command.js";
import { options } from "./option-parser.js";
import { runProgram, unmodelled } from "./program-models.js";
import { childState, type ShellState } from "./shell-state.js";
import { splitEnvString } from "./wrappers.js";

type Argv = Array<string | null>;
type Model = (analysis: Analysis, args: Argv, state: ShellState, program: string, stdin: Stdin) => void;

/**
 * Programs that run commands through their options or arguments: what they would run is analysed as a
 * script (or a program and its arguments), and what cannot be seen (a script file, a config file) is opaque.
 */
export const commandPrograms: Record<string, Model> = {
  git: runGit,
  ssh: (analysis, args, state) => runSsh(analysis, args, state, "ssh"),
  scp: (analysis, args, state) => runSsh(analysis, args, state, "scp"),
  sftp: (analysis, args, state) => runSsh(analysis, args, state, "sftp"),
  at: runAt,
  batch: runAt,
  rg: (analysis, args, state) => {
    const parsed = options(args, {
      values: ["--pre", "--pre-glob", "-e", "--regexp", "-f", "--file", "-g", "--glob", "-t", "-T", "-m", "-A", "-B", "-C"],
    });
    const pre = parsed.values.get("--pre");
    if (pre === undefined) return;
    command(analysis, pre, state, "rg --pre", true, filterInput);
  },
  sed: runSed,
  crontab: (analysis, args, state, program, stdin) => {
    const parsed = options(args, { values: ["-u"] });
    if (["-l", "-r", "-e", "-i", "-T", "-V"].some((flag) => parsed.flags.has(flag))) return;
    const file = parsed.operands[0];
    if (file !== undefined && file !== "-") {
      analysis.opaque("script-file", `crontab installs the jobs in ${file ?? "a file"}, which run later`, {
        program,
        paths: [analysis.resolve(file, state)],
      });
      return;
    }
    const text = stdin.kind === "text" || stdin.kind === "pipe" ? stdin.text : null;
    if (text === null) {
      analysis.opaque("dynamic-script", "crontab installs jobs read at run time", { program });
      return;
    }
    // m h dom mon dow command (or @reboot command); NAME=value lines and comments run nothing.
    for (const line of text.split("\n")) {
      const job = /^\s*(?:@\w+|(?:\S+\s+){5})(.+)$/.exec(line);
      if (job && !/^\s*(#|[A-Za-z_]\w*=)/.test(line)) analysis.script((job[1] as string).replace(/%/g, " "), childState(state));
    }
  },
  vim: (analysis, args, _state, program) => editor(analysis, args, program),
  vi: (analysis, args, _state, program) => editor(analysis, args, program),
  nvim: (analysis, args, _state, program) => editor(analysis, args, program),
  ex: (analysis, args, _state, program) => editor(analysis, args, program),
  view: (analysis, args, _state, program) => editor(analysis, args, program),
  man: (analysis, args, state) => {
    const pager = options(args, { values: ["-P", "--pager", "-M", "-L", "-S", "-s", "-m", "-e", "-C"] }).values.get("-P");
    const long = options(args, { values: ["--pager"] }).values.get("--pager");
    for (const value of [pager, long]) if (value !== undefined) command(analysis, value, state, "man -P");
  },
  expect: (analysis, args, state, program) => {
    if (args.some((arg) => arg === "-c"))
      analysis.opaque("inline-code", "expect -c runs Tcl written inline, which can spawn any program", { program });
    else if (args.some((arg) => arg !== null && !arg.startsWith("-")))
      analysis.opaque("script-file", "expect runs a script file", { program, paths: [] });
    void state;
  },
  gdb: (analysis, args, _state, program) => {
    if (args.some((arg) => arg !== null && /^(-ex|--ex|-eval-command|--eval-command|-iex|-x|--command|-ix)(=|$)/.test(arg))) {
      analysis.opaque("inline-code", "gdb runs commands given on its command line (shell among them)", { program });
    }
  },
  socat: (analysis, args, state) => {
    for (const arg of args) {
      if (arg === null) continue;
      const address = /^(EXEC|SYSTEM):(.*?)(,[a-z-]+(=[^,]*)?)*$/i.exec(arg);
      if (!address) continue;
      if ((address[1] as string).toUpperCase() === "SYSTEM")
        command(analysis, address[2] ?? null, state, "socat SYSTEM", false, filterInput);
      else command(analysis, address[2] ?? null, state, "socat EXEC", true, filterInput);
    }
  },
  nc: (analysis, args, state, program) => netcat(analysis, args, state, program),
  netcat: (analysis, args, state, program) => netcat(analysis, args, state, program),
  ncat: (analysis, args, state, program) => netcat(analysis, args, state, program),
  sudoedit: (analysis, args, state, program) => {
    for (const file of options(args, { values: ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"] }).operands) {
      analysis.path({ operation: "write", path: analysis.resolve(file, state), raw: file ?? "(unknown)", program });
    }
  },
  awk: runAwk,
  gawk: runAwk,
  mawk: runAwk,
  nawk: runAwk,
};

/** An editor given commands (`vim -c '!cmd'`, `+cmd`, `--cmd`): Vim script runs any shell command. */
function editor(analysis: Analysis, args: Argv, program: string): void {
  if (args.some((arg) => arg === null || arg === "-c" || arg === "--cmd" || arg === "-S" || arg === "-s" || /^\+./.test(arg))) {
    analysis.opaque("inline-code", `${program} runs editor commands given on its command line, which can run shell commands`, { program });
  }
}

/** netcat's `-e PROG` / `-c CMD` / ncat's `--exec`/`--sh-exec` run a program on the connection. */
function netcat(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, {
    values: ["-e", "-c", "--exec", "--sh-exec", "-p", "-s", "-w", "-i", "-q", "-x", "-X", "-P", "-O", "-o", "--lua-exec"],
  });
  for (const flag of ["-e", "--exec"])
    if (parsed.values.has(flag)) command(analysis, parsed.values.get(flag) ?? null, state, `${program} ${flag}`, true, filterInput);
  for (const flag of ["-c", "--sh-exec"])
    if (parsed.values.has(flag)) command(analysis, parsed.values.get(flag) ?? null, state, `${program} ${flag}`, false, filterInput);
  if (parsed.values.has("--lua-exec")) analysis.opaque("script-file", "ncat --lua-exec runs a Lua script", { program });
}

/**
 * Runs `text` as a command: a script when `shell` (git and ssh run their commands with `sh -c`), else a
 * program and its arguments split as words. A file name (`./x.sh`) is a script file, opaque.
 */
function command(
  analysis: Analysis,
  text: string | null,
  state: ShellState,
  what: string,
  program = false,
  stdin: Stdin = { kind: "none" },
): void {
  if (text === null) {
    analysis.opaque("dynamic-script", `${what} runs a command only known at run time`);
    return;
  }
  if (program) {
    const argv = splitEnvString(text);
    if (argv?.[0]?.includes("/") && !argv[0].startsWith("/usr/") && !argv[0].startsWith("/bin/")) {
      analysis.opaque("script-file", `${what} runs ${argv[0]}, whose contents are not checked`, {
        paths: [analysis.resolve(argv[0], state)],
      });
      return;
    }
    if (argv) runProgram(analysis, argv, { env: [...state.exported], via: [what.split(" ")[0] as string], stdin }, childState(state));
    return;
  }
  analysis.script(text, childState(state), stdin);
}

/** What a filter program (`rg --pre`, tar's `--to-command`) gets on stdin: data the analysis does not know. */
export const filterInput: Stdin = { kind: "pipe", from: "the data it filters", text: null };

/** git configuration keys whose value git runs as a shell command (or, `core.hooksPath`, a directory of scripts). */
const gitCommandKeys = [
  /^alias\./,
  /^core\.(pager|editor|sshcommand|fsmonitor|askpass)$/,
  /^credential\.(.*\.)?helper$/,
  /^diff\.(external|.*\.(textconv|command))$/,
  /^filter\..*\.(clean|smudge|process)$/,
  /^merge\..*\.driver$/,
  /^mergetool\..*\.cmd$/,
  /^difftool\..*\.cmd$/,
  /^pager\./,
  /^sequence\.editor$/,
  /^gpg\.(.*\.)?program$/,
  /^uploadpack\.packobjectshook$/,
  /^web\.browser$/,
  /^browser\..*\.cmd$/,
  /^sendemail\..*cmd$/,
  /^url\..*$/,
];

function gitValue(analysis: Analysis, key: string, value: string | null, state: ShellState): void {
  const lower = key.toLowerCase();
  if (lower === "core.hookspath") {
    analysis.opaque("script-file", `git ${key} makes git run hook scripts from ${value ?? "a directory only known at run time"}`);
    return;
  }
  if (!gitCommandKeys.some((pattern) => pattern.test(lower)) || lower.startsWith("url.")) return;
  if (/^credential\.(.*\.)?helper$/.test(lower)) {
    // A helper starting with `!` is a shell command; otherwise git runs git-credential-<name>.
    if (value === null) analysis.opaque("dynamic-script", `git ${key} only known at run time`);
    else if (value.startsWith("!")) command(analysis, value.slice(1), state, `git ${key}`);
    else if (value.includes("/")) analysis.opaque("script-file", `git ${key} runs ${value}`);
    return;
  }
  if (lower.startsWith("alias.")) {
    // An alias is a git command line unless it starts with `!`, then a shell command.
    if (value === null) analysis.opaque("dynamic-script", `git alias ${key} only known at run time`);
    else if (value.startsWith("!")) command(analysis, value.slice(1), state, `git ${key}`);
    return;
  }
  command(analysis, value, state, `git ${key}`);
}

/**
 * Subcommands that run commands of their own: `submodule foreach`, `bisect run`, `rebase --exec`/`-x`,
 * `filter-branch --*-filter`, `difftool -x`/`--extcmd`, `grep -O`, and `ext::` remotes (a command as transport).
 * True when the subcommand was handled here.
 */
function gitRunsCommands(analysis: Analysis, subcommand: string | null, args: Argv, state: ShellState): boolean {
  for (const arg of args) {
    if (arg !== null && /^ext::/.test(arg)) command(analysis, arg.slice(5).replace(/%[sS%G]/g, "x"), state, "git ext:: remote", true);
  }
  if (subcommand === "submodule" && args.includes("foreach")) {
    const script = args.slice(args.indexOf("foreach") + 1).filter((arg) => arg !== "--recursive" && arg !== "-q" && arg !== "--quiet");
    command(analysis, script.some((arg) => arg === null) ? null : script.join(" "), state, "git submodule foreach");
    return true;
  }
  if (subcommand === "bisect" && args[0] === "run") {
    runProgram(analysis, args.slice(1), { env: [...state.exported], via: ["git"], stdin: { kind: "none" } }, childState(state));
    return true;
  }
  const scripts: Record<string, string[]> = {
    rebase: ["--exec", "-x"],
    "filter-branch": [
      "--tree-filter",
      "--index-filter",
      "--msg-filter",
      "--commit-filter",
      "--env-filter",
      "--parent-filter",
      "--tag-name-filter",
      "--setup",
    ],
    difftool: ["-x", "--extcmd"],
    grep: ["-O", "--open-files-in-pager"],
  };
  const parsed = options(args, { values: [...Object.values(scripts).flat(), "-t", "--tool"] });
  const flags = scripts[subcommand ?? ""];
  if (!flags) return false;
  for (const flag of flags) for (const value of parsed.all.get(flag) ?? []) command(analysis, value, state, `git ${subcommand} ${flag}`);
  return flags.some((flag) => parsed.values.has(flag));
}

/** A `key=value` setting (`-c`); a key alone sets true. */
function gitSetting(analysis: Analysis, pair: string, state: ShellState): void {
  const equals = pair.indexOf("=");
  gitValue(analysis, equals === -1 ? pair : pair.slice(0, equals), equals === -1 ? "true" : pair.slice(equals + 1), state);
}

/** `git [-C dir] [-c key=value]... subcommand ...`, and `git config key value`. */
function runGit(analysis: Analysis, args: Argv, state: ShellState): void {
  let index = 0;
  let at = state;
  for (; index < args.length; index++) {
    const arg = args[index] ?? null;
    if (arg === null) break;
    if (arg === "-c" || arg.startsWith("-c")) {
      const pair = arg === "-c" ? (args[++index] ?? null) : arg.slice(2);
      if (pair === null) analysis.opaque("dynamic-script", "git -c with a setting only known at run time");
      else gitSetting(analysis, pair, at);
      continue;
    }
    if (arg === "-C") {
      at = childState(at);
      at.cwd = analysis.resolve(args[++index] ?? null, state);
      continue;
    }
    if (arg === "--config-env") {
      analysis.opaque("dynamic-script", "git --config-env takes a setting from a variable");
      index++;
      continue;
    }
    if (!arg.startsWith("-")) break;
    if (arg.startsWith("--exec-path="))
      analysis.opaque("script-file", "git --exec-path makes git run its subcommands from another directory");
    if (["--git-dir", "--work-tree", "--namespace"].includes(arg)) index++;
  }
  const subcommand = args[index];
  const rest = args.slice(index + 1);
  if (subcommand === "config") {
    const parsed = options(rest, { values: ["--file", "-f", "--type", "--blob", "--default", "--comment"] });
    const [key, value] = parsed.operands;
    if (key && parsed.operands.length >= 2 && !parsed.flags.has("--get") && !parsed.flags.has("--unset"))
      gitValue(analysis, key, value ?? null, at);
    return;
  }
  if (gitRunsCommands(analysis, subcommand ?? null, rest, at)) return;
  if (subcommand !== "clone") {
    // Another subcommand: what it does to its paths (and to the directory of -C) is not modelled.
    unmodelled(analysis, "git", [...(at !== state ? [at.cwd] : []), ...rest], state);
    return;
  }
  {
    const parsed = options(rest, {
      values: [
        "-b",
        "--branch",
        "-o",
        "--origin",
        "--depth",
        "-u",
        "--upload-pack",
        "--reference",
        "--separate-git-dir",
        "-c",
        "--config",
        "-j",
        "--jobs",
        "--template",
        "--filter",
        "--shallow-since",
        "--shallow-exclude",
      ],
    });
    for (const pair of parsed.all.get("-c") ?? []) {
      if (pair === null) analysis.opaque("dynamic-script", "git clone -c with a setting only known at run time");
      else gitSetting(analysis, pair, at);
    }
    if (parsed.values.has("--upload-pack") || parsed.values.has("-u"))
      command(analysis, parsed.values.get("--upload-pack") ?? parsed.values.get("-u") ?? null, at, "git clone --upload-pack");
    const [source = null, target] = parsed.operands;
    const directory =
      target ??
      (source === null
        ? null
        : (source
            .replace(/\/+$/, "")
            .replace(/\.git$/, "")
            .split(/[/:]/)
            .pop() ?? null));
    analysis.path({ operation: "write", path: analysis.resolve(directory, at), raw: directory ?? "(unknown)", program: "git" });
  }
}

/** ssh's options that run local commands; `-F` names a config file that may hold them. */
function runSsh(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? null;
    if (arg === null) continue;
    if (arg === "-o" || (arg.startsWith("-o") && arg.length > 2)) {
      const option = arg === "-o" ? (args[++index] ?? null) : arg.slice(2);
      if (option === null) {
        analysis.opaque("dynamic-script", `${program} -o with an option only known at run time`);
        continue;
      }
      const [, name = "", value = ""] = /^\s*([A-Za-z]+)\s*[= ]\s*(.*)$/s.exec(option) ?? [];
      if (/^(proxycommand|localcommand|knownhostscommand|remotecommand)$/i.test(name)) {
        if (name.toLowerCase() === "remotecommand") continue;
        // %h, %p and the like are replaced before sh -c runs it.
        command(analysis, value.replace(/%[a-zA-Z%]/g, "x"), state, `${program} ${name}`);
      }
    } else if (arg === "-F") {
      analysis.opaque("script-file", `${program} -F reads a config file that may run commands (ProxyCommand)`, {
        paths: [analysis.resolve(args[++index] ?? null, state)],
      });
    } else if (program === "scp" && arg === "-S") {
      command(analysis, args[++index] ?? null, state, "scp -S", true);
    }
  }
  if (program !== "ssh") return;
  runRemote(analysis, args, state);
}

/** Options of ssh that take a value: the first operand after them is the host, the rest the remote command. */
const sshValues = new Set("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B".split(" "));

/** `ssh host rm -rf /`: the command runs on another host, but it is still this agent's command; it is checked. */
function runRemote(analysis: Analysis, args: Argv, state: ShellState): void {
  let index = 0;
  while (index < args.length && args[index]?.startsWith("-")) index += sshValues.has(args[index] as string) ? 2 : 1;
  const remote = args.slice(index + 1);
  if (remote.length === 0) return;
  if (remote.some((word) => word === null)) {
    analysis.opaque("dynamic-script", "ssh runs a remote command only known at run time", { program: "ssh" });
    return;
  }
  remoteScript(analysis, remote.join(" "), state);
}

/**
 * A script another host runs (`ssh host cmd`, `rsync --rsync-path`): analysed on its own, so what it does
 * counts (a remote `rm -rf /` is still denied), but its paths are another host's, which local path rules (the
 * sandbox root) cannot judge.
 */
export function remoteScript(analysis: Analysis, text: string, state: ShellState): void {
  const other = new Analysis({ ...analysis.options, cwd: "/" });
  const inner = childState(state);
  inner.cwd = null;
  inner.variables = new Map();
  inner.exported = new Set();
  other.script(text, inner);
  other.finish(inner);
  analysis.merge(other.facts, { remote: true });
}

/** `at`/`batch` run the commands they read (stdin, or `-f file`); listing and removing run nothing. */
function runAt(analysis: Analysis, args: Argv, state: ShellState, program: string, stdin: Stdin): void {
  const parsed = options(args, { values: ["-q", "-f", "-t"] });
  if (["-l", "-r", "-d", "-c"].some((flag) => parsed.flags.has(flag))) return;
  const file = parsed.values.get("-f");
  if (file !== undefined) {
    analysis.opaque("script-file", `${program} -f runs the commands in ${file ?? "a file"} later`, {
      program,
      paths: [analysis.resolve(file, state)],
    });
    return;
  }
  if (stdin.kind === "none") return;
  const text = stdin.kind === "text" || stdin.kind === "pipe" ? stdin.text : null;
  if (text === null) analysis.opaque("dynamic-script", `${program} runs commands read at run time`, { program });
  else analysis.script(text, childState(state));
}

/**
 * `sed`: its script's `e` command and `s///e` flag run shell commands, `w`/`W` and `s///w` write files,
 * `-i` edits the files in place; a script file (`-f`) could hold any of them. `--sandbox` refuses them all.
 */
function runSed(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, {
    values: ["-e", "--expression", "-f", "--file", "-l", "--line-length"],
    long: [
      "--in-place",
      "--quiet",
      "--silent",
      "--regexp-extended",
      "--separate",
      "--sandbox",
      "--null-data",
      "--zero-terminated",
      "--posix",
      "--debug",
      "--unbuffered",
      "--follow-symlinks",
    ],
  });
  const scripts = [...(parsed.all.get("-e") ?? []), ...(parsed.all.get("--expression") ?? [])];
  const files = [...parsed.operands];
  if (scripts.length === 0 && !parsed.values.has("-f") && !parsed.values.has("--file")) scripts.push(files.shift() ?? null);
  const inPlace = [...parsed.flags].some((flag) => flag === "--in-place" || /^-[a-zA-Z]*i/.test(flag) || flag === "-i");
  if (inPlace || args.some((arg) => arg !== null && /^-[a-zA-Z]*i/.test(arg) && !arg.startsWith("--"))) {
    for (const file of files) analysis.path({ operation: "write", path: analysis.resolve(file, state), raw: file ?? "(unknown)", program });
  }
  if (parsed.flags.has("--sandbox")) return;
  if (parsed.values.has("-f") || parsed.values.has("--file")) {
    analysis.opaque("script-file", "sed -f runs a script file, which can run commands (e) and write files (w)", { program });
    return;
  }
  for (const script of scripts) {
    if (script === null) {
      analysis.opaque("dynamic-script", "a sed script only known at run time can run commands", { program });
      continue;
    }
    for (const effect of sedEffects(script)) {
      if (effect.run !== undefined) analysis.script(effect.run, childState(state));
      else if (effect.runsPatternSpace) analysis.opaque("dynamic-script", "sed's e flag runs the edited line as a command", { program });
      if (effect.write !== undefined)
        analysis.path({ operation: "write", path: analysis.resolve(effect.write, state), raw: effect.write, program });
    }
  }
}

/** The commands a sed script runs (`e cmd`) and the files it writes (`w file`). */
function sedEffects(script: string): Array<{ run?: string; runsPatternSpace?: boolean; write?: string }> {
  const effects: Array<{ run?: string; runsPatternSpace?: boolean; write?: string }> = [];
  for (const line of script.split(/\n|;(?=\s*[0-9$/]*\s*[ewW]\b)/)) {
    const command = line.replace(/^\s*(?:\d+|\$|\/(?:\\.|[^/])*\/)?(?:,(?:\d+|\$|\/(?:\\.|[^/])*\/))?\s*!?\s*/, "");
    const substitute = /^s(.)((?:\\.|(?!\1).)*)\1((?:\\.|(?!\1).)*)\1([gpiImMe0-9]*)(w\s+(.*))?$/.exec(command.trim());
    if (substitute) {
      if (substitute[4]?.includes("e")) {
        // `s/.*/CMD/e`: the whole line becomes CMD, which runs; any other pattern leaves the line's text in it.
        const whole = /^\^?\.\*\$?$/.test(substitute[2] ?? "");
        const separator = substitute[1] as string;
        effects.push(whole ? { run: (substitute[3] ?? "").split(`\\${separator}`).join(separator) } : { runsPatternSpace: true });
      }
      if (substitute[6]) effects.push({ write: substitute[6].trim() });
      continue;
    }
    const match = /^([ewW])(?:\s+(.*))?$/.exec(command.trim());
    if (!match) continue;
    if (match[1] === "e") effects.push(match[2] ? { run: match[2] } : { runsPatternSpace: true });
    else if (match[2]) effects.push({ write: match[2].trim() });
  }
  return effects;
}

/**
 * `awk`: a program that calls `system()`, pipes to or from a command (`print | "cmd"`, `"cmd" | getline`) runs
 * commands; `print > "file"` writes one. A program with none of them only computes. `-f` is a program file.
 */
function runAwk(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, {
    values: ["-F", "-v", "-f", "--file", "-E", "--exec", "-i", "--include", "-l", "--load"],
    stopAtOperand: true,
  });
  if (["-f", "--file", "-E", "--exec", "-i", "--include", "-l", "--load"].some((flag) => parsed.values.has(flag))) {
    analysis.opaque("script-file", `${program} runs a program file, which can run commands`, { program });
    return;
  }
  const text = parsed.operands[0];
  if (text === undefined) return;
  if (text === null) {
    analysis.opaque("dynamic-script", `${program} runs a program only known at run time`, { program });
    return;
  }
  const code = text.replace(/"(?:\\.|[^"\\])*"/g, (literal) => literal.replace(/[|>]/g, " "));
  // `system("cmd")`, `print | "cmd"`, `"cmd" | getline`: a literal command is analysed; any other is opaque.
  const literalCommands = [
    ...text.matchAll(/\bsystem\s*\(\s*"((?:\\.|[^"\\])*)"\s*\)/g),
    ...text.matchAll(/\|\s*"((?:\\.|[^"\\])*)"/g),
    ...text.matchAll(/"((?:\\.|[^"\\])*)"\s*\|\s*getline/g),
  ].map((match) => (match[1] as string).replace(/\\(.)/g, "$1"));
  for (const literal of literalCommands) analysis.script(literal, childState(state), filterInput);
  const systemCalls = (code.match(/\bsystem\s*\(/g) ?? []).length;
  const pipes = (code.match(/\|/g) ?? []).length - (code.match(/\|\|/g) ?? []).length * 2;
  if (systemCalls + Math.max(0, pipes) > literalCommands.length) {
    analysis.opaque("inline-code", `${program} runs commands built at run time (system(), pipes)`, { program });
  }
  for (const target of text.matchAll(/(?:print|printf)[^;}]*?>{1,2}\s*"([^"]+)"/g)) {
    analysis.path({ operation: "write", path: analysis.resolve(target[1] as string, state), raw: target[1] as string, program });
  }
  if (/(?:print|printf)[^;}]*?>{1,2}\s*[^"\s]/.test(code))
    analysis.opaque("inline-code", `${program} writes to a file named at run time`, { program });
}
