import type { Analysis } from "./analyze-command.js";
import { nestedCommand } from "./nested-command.js";
import { options } from "./option-parser.js";
import type { Argv } from "./program-model.js";
import { runProgram, unmodelled } from "./program-models.js";
import { childState, type ShellState } from "./shell-state.js";

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
    else if (value.startsWith("!")) nestedCommand(analysis, value.slice(1), state, `git ${key}`);
    else if (value.includes("/")) analysis.opaque("script-file", `git ${key} runs ${value}`);
    return;
  }
  if (lower.startsWith("alias.")) {
    // An alias is a git command line unless it starts with `!`, then a shell command.
    if (value === null) analysis.opaque("dynamic-script", `git alias ${key} only known at run time`);
    else if (value.startsWith("!")) nestedCommand(analysis, value.slice(1), state, `git ${key}`);
    return;
  }
  nestedCommand(analysis, value, state, `git ${key}`);
}

/**
 * Subcommands that run commands of their own: `submodule foreach`, `bisect run`, `rebase --exec`/`-x`,
 * `filter-branch --*-filter`, `difftool -x`/`--extcmd`, `grep -O`, and `ext::` remotes (a command as transport).
 * True when the subcommand was handled here.
 */
function gitRunsCommands(analysis: Analysis, subcommand: string | null, args: Argv, state: ShellState): boolean {
  for (const arg of args) {
    if (arg !== null && /^ext::/.test(arg)) nestedCommand(analysis, arg.slice(5).replace(/%[sS%G]/g, "x"), state, "git ext:: remote", true);
  }
  if (subcommand === "submodule" && args.includes("foreach")) {
    const script = args.slice(args.indexOf("foreach") + 1).filter((arg) => arg !== "--recursive" && arg !== "-q" && arg !== "--quiet");
    nestedCommand(analysis, script.some((arg) => arg === null) ? null : script.join(" "), state, "git submodule foreach");
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
  for (const flag of flags)
    for (const value of parsed.all.get(flag) ?? []) nestedCommand(analysis, value, state, `git ${subcommand} ${flag}`);
  return flags.some((flag) => parsed.values.has(flag));
}

/** A `key=value` setting (`-c`); a key alone sets true. */
function gitSetting(analysis: Analysis, pair: string, state: ShellState): void {
  const equals = pair.indexOf("=");
  gitValue(analysis, equals === -1 ? pair : pair.slice(0, equals), equals === -1 ? "true" : pair.slice(equals + 1), state);
}

/** `git [-C dir] [-c key=value]... subcommand ...`, and `git config key value`. */
export function runGit(analysis: Analysis, args: Argv, state: ShellState): void {
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
      nestedCommand(analysis, parsed.values.get("--upload-pack") ?? parsed.values.get("-u") ?? null, at, "git clone --upload-pack");
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
