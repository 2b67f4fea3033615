import { exportStatement, quoteShellWord } from "./shell-quote.js";

/**
 * The bash side of the session protocol. A session shell runs each command with `eval` at top level, so
 * functions, aliases and variables live on as in a terminal. It writes protocol markers to copies of its
 * original stdout/stderr (fds 63/62), so a command that closes or redirects its output cannot break
 * the framing, and each command starts with those fds restored. An EXIT trap reports the state when a
 * command ends the shell (`exit`, `set -e`). (`command exec`, not `builtin exec`: only the former keeps
 * its redirections, and neither can be shadowed by a function.) errexit, nounset, xtrace and verbose are switched off after
 * each command: they belong to the command that set them.
 *
 * Wire format per command, with a fresh random nonce N and RS the byte 0x1e (markers are found by exact
 * search, so none needs a newline before it, and output ending in a newline is never held back):
 *   stdout:  RS "__HERMES_N_BEGIN " <uptime at start, for the tree kill> "\n"
 *   stderr:  RS "__HERMES_N_BEGIN\n"
 *   both:    <command output, exactly> RS "__HERMES_N_END\n"
 *   stdout:  <exit status> " " <1 if the shell is exiting> "\n" <shell pid> "\n" <cwd> "\0" <export -p> RS "__HERMES_N_DONE\n"
 */
export const bootstrapScript = `command exec 63>&1 62>&2
builtin shopt -s expand_aliases
__hermes_n=
__hermes_begin() {
  command exec 1>&63 2>&62
  __hermes_n=$1
  builtin export HERMES_EXEC_ID=$2
  __hermes_t=
  { builtin read -r __hermes_t _ </proc/uptime; } 2>/dev/null
  builtin printf '\\036__HERMES_%s_BEGIN %s\\n' "$1" "$__hermes_t" >&63 || builtin exit 70
  builtin printf '\\036__HERMES_%s_BEGIN\\n' "$1" >&62 || builtin exit 70
}
__hermes_end() {
  builtin set +o errexit +o nounset +o xtrace +o verbose
  builtin unset HERMES_EXEC_ID __hermes_c
  builtin printf '\\036__HERMES_%s_END\\n' "$__hermes_n" >&62 || builtin exit 70
  builtin printf '\\036__HERMES_%s_END\\n%d %d\\n%d\\n%s\\0' "$__hermes_n" "$1" "$2" "$$" "$PWD" >&63 || builtin exit 70
  builtin export -p >&63
  builtin printf '\\036__HERMES_%s_DONE\\n' "$__hermes_n" >&63 || builtin exit 70
  __hermes_n=
}
__hermes_on_exit() { [ -n "$__hermes_n" ] && __hermes_end "$1" 1; }
builtin trap '__hermes_on_exit $?' EXIT
`;

export interface CommandScriptOptions {
  nonce: string;
  execId: string;
  command: string;
  /** Restores the session's state in this shell first (see `stateRestoreScript`). */
  restore?: string;
  /** Per-call cwd/env: the command then runs in a subshell so neither leaks into the session. */
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** The command reads the shell's own stdin (data follows this line); the shell exits afterwards. */
  readsStdin?: boolean;
}

/** One line for a session shell to run one command and report how it ended. */
export function commandScript(options: CommandScriptOptions): string {
  const stdin = options.readsStdin ? "" : " </dev/null";
  let run = `builtin eval "$__hermes_c"${stdin}`;
  if (options.cwd !== undefined || (options.env && Object.keys(options.env).length > 0)) {
    const steps: string[] = [];
    if (options.cwd !== undefined) steps.push(`builtin cd -- ${quoteShellWord(options.cwd, "cwd")} || builtin exit 1`);
    const exports = exportStatement(options.env ?? {});
    if (exports) steps.push(exports);
    run = `( ${steps.join("; ")}; builtin eval "$__hermes_c" )${stdin}`;
  }
  const restore = options.restore ? `${options.restore}; ` : "";
  const exit = options.readsStdin ? "; builtin exit" : "";
  return `${restore}__hermes_c=${quoteShellWord(options.command)}; __hermes_begin ${options.nonce} ${options.execId}; ${run}; { __hermes_end $? 0; } 2>/dev/null${exit}\n`;
}

export interface ShellState {
  cwd: string;
  env: ReadonlyMap<string, string | null>;
}

/** Shell code that moves a shell from state `from` to state `to`; "" when they are equal. */
export function stateRestoreScript(from: ShellState, to: ShellState): string {
  const steps: string[] = [];
  if (from.cwd !== to.cwd) steps.push(`builtin cd -- ${quoteShellWord(to.cwd, "cwd")} 2>/dev/null`);
  const set: string[] = [];
  for (const [name, value] of to.env) {
    if (from.env.get(name) === value && from.env.has(name)) continue;
    set.push(value === null ? name : `${name}=${quoteShellWord(value, `env.${name}`)}`);
  }
  if (set.length > 0) steps.push(`builtin export ${set.join(" ")}`);
  const unset = [...from.env.keys()].filter((name) => !to.env.has(name));
  if (unset.length > 0) steps.push(`builtin unset ${unset.join(" ")}`);
  return steps.join("; ");
}

/** Script for a fresh `bash -c`: the backend's prelude, the session's state, then the command or argv. */
export function oneShotScript(options: {
  prelude: string | undefined;
  restore: string;
  cwd: string | undefined;
  env: Readonly<Record<string, string>> | undefined;
  command: string | undefined;
}): string {
  const steps: string[] = [];
  if (options.prelude) steps.push(options.prelude);
  if (options.restore) steps.push(options.restore);
  if (options.cwd !== undefined) steps.push(`builtin cd -- ${quoteShellWord(options.cwd, "cwd")} || builtin exit 1`);
  const exports = exportStatement(options.env ?? {});
  if (exports) steps.push(exports);
  // The command keeps line 1 for its own error messages only when nothing precedes it; the prelude shares one line.
  const head = steps.join("; ");
  const body = options.command ?? 'builtin exec "$@"';
  return head ? `${head}\n${body}` : body;
}
