import type { Analysis } from "./analyze-command.js";
import { childState, type ShellState } from "./shell-state.js";

/** Variables whose value a program runs as a command (git's pager, an editor, an askpass helper, less's preprocessor). */
const commandVariables = new Set([
  "GIT_SSH_COMMAND",
  "GIT_PAGER",
  "GIT_EDITOR",
  "GIT_EXTERNAL_DIFF",
  "GIT_PROXY_COMMAND",
  "GIT_ASKPASS",
  "GIT_SEQUENCE_EDITOR",
  "SSH_ASKPASS",
  "SUDO_ASKPASS",
  "PAGER",
  "MANPAGER",
  "SYSTEMD_PAGER",
  "EDITOR",
  "VISUAL",
  "BROWSER",
  "LESSOPEN",
  "LESSCLOSE",
  "RSYNC_RSH",
  "CVS_RSH",
  "FCEDIT",
]);

/** Variables bash expands as prompts when it prints one (PS4 for every traced command). */
const prompts = new Set(["PS0", "PS1", "PS2", "PS4"]);

/**
 * Variables that are code bash runs by itself: PROMPT_COMMAND runs before each prompt, PS0/PS1/PS2/PS4 are
 * expanded (command substitutions included) when printed, BASH_ENV and ENV name a file a new shell sources.
 * Assigning one is analysed as what it will run; a value only known at run time is opaque.
 */
export function assignmentHooks(
  analysis: Analysis,
  name: string,
  value: string[] | null,
  state: ShellState,
  appended?: string[] | null,
): void {
  // `PROMPT_COMMAND+=(...)`: what was there before is not this command's; what it adds is.
  if (value === null && appended !== undefined && appended !== null) value = appended;
  if (name === "HOME" && value === null) analysis.homeUnknown = true;
  if (name === "CDPATH") state.cdpath = value === null || value.join("") !== "";
  if (name === "PROMPT_COMMAND") {
    if (value === null) analysis.opaque("dynamic-script", "PROMPT_COMMAND is set to a command only known at run time");
    else analysis.script(value.join("\n"), childState(state));
  } else if (prompts.has(name)) {
    if (value === null)
      analysis.opaque("dynamic-script", `${name} is set to a prompt only known at run time, which bash expands when it prints it`);
    else analysis.prompt(value.join(" "), state);
  } else if (commandVariables.has(name)) {
    // What a program will run: `|cmd %s` for less, a command line for the others.
    if (value === null) analysis.opaque("dynamic-script", `${name} names a command only known at run time`);
    else
      analysis.script(
        value
          .join(" ")
          .replace(/^\|{1,2}/, "")
          .replace(/%s/g, "file"),
        childState(state),
      );
  } else if (name === "BASH_ENV" || name === "ENV") {
    const file = value?.join(" ") ?? null;
    if (file !== "" && file !== "/dev/null") {
      analysis.opaque("script-file", `${name}=${file ?? "(unknown)"} makes every new shell source that file first`, {
        paths: [file === null ? null : analysis.resolve(file, state)],
      });
    }
  }
}

/**
 * A variable in a program's environment (`env NAME=value prog`, `sudo NAME=value prog`): the same hooks,
 * and `BASH_FUNC_name%%=() { ...; }`, a function a child bash defines and then runs in place of `name`.
 */
export function environmentHooks(analysis: Analysis, name: string, value: string | null, state: ShellState): void {
  const exported = /^BASH_FUNC_(.+?)(%%|\(\))$/.exec(name);
  if (exported) {
    if (value === null || !value.trimStart().startsWith("()")) {
      analysis.opaque("dynamic-script", `${name} exports a function ${exported[1]} whose body is only known at run time`);
      return;
    }
    analysis.script(value.trimStart().slice(2), childState(state));
    return;
  }
  assignmentHooks(analysis, name, value === null ? null : [value], state);
}

/**
 * `trap [-lp] [[action] signal...]`: the action runs when a signal arrives, before each command (DEBUG), on a
 * failure (ERR), when a function returns (RETURN), or as the shell ends (EXIT, walked last with the final state).
 */
export function trapBuiltin(analysis: Analysis, args: Array<string | null>, state: ShellState): void {
  let index = 0;
  while (index < args.length && /^-[lpP]+$/.test(args[index] ?? "")) index++;
  if (args[index] === "--") index++;
  const operands = args.slice(index);
  // One operand is a signal to reset; `-` resets, "" ignores.
  if (operands.length < 2) return;
  const [action, ...signals] = operands;
  if (action === "-" || action === "") return;
  if (action === null || action === undefined) {
    analysis.opaque("dynamic-script", "trap with an action only known at run time");
    return;
  }
  if (signals.some((signal) => signal === null || /^(EXIT|SIGEXIT|0)$/i.test(signal))) analysis.onExit(action);
  if (signals.some((signal) => signal !== null && !/^(EXIT|SIGEXIT|0)$/i.test(signal))) analysis.script(action, childState(state));
}
