import type { Analysis, Stdin } from "./analyze-command.js";
import { runGit } from "./git-program.js";
import { filterInput, nestedCommand } from "./nested-command.js";
import { options } from "./option-parser.js";
import type { Argv, ProgramModel } from "./program-model.js";
import { runSsh } from "./remote-programs.js";
import { childState, type ShellState } from "./shell-state.js";
import { runAwk, runSed } from "./text-programs.js";

/**
 * Programs that run commands through their options or arguments: what they would run is analysed as a
 * script (or a program and its arguments), and what cannot be seen (a script file, a config file) is opaque.
 */
export const commandPrograms: Record<string, ProgramModel> = {
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
    nestedCommand(analysis, pre, state, "rg --pre", true, filterInput);
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
    for (const value of [pager, long]) if (value !== undefined) nestedCommand(analysis, value, state, "man -P");
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
        nestedCommand(analysis, address[2] ?? null, state, "socat SYSTEM", false, filterInput);
      else nestedCommand(analysis, address[2] ?? null, state, "socat EXEC", true, filterInput);
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
    if (parsed.values.has(flag)) nestedCommand(analysis, parsed.values.get(flag) ?? null, state, `${program} ${flag}`, true, filterInput);
  for (const flag of ["-c", "--sh-exec"])
    if (parsed.values.has(flag)) nestedCommand(analysis, parsed.values.get(flag) ?? null, state, `${program} ${flag}`, false, filterInput);
  if (parsed.values.has("--lua-exec")) analysis.opaque("script-file", "ncat --lua-exec runs a Lua script", { program });
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
