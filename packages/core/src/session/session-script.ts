import { exportStatement, quoteShellWord } from "./shell-quote.js";

/**
 * The bash side of the session protocol. A session shell is `bash -s` reading one line per command from
 * its stdin; the line runs the command with `eval` at top level, so functions, aliases and variables live
 * on as in a terminal. The shell defines nothing of its own (no functions, no variables between commands),
 * so a command cannot unset, shadow or read the protocol:
 *
 * - Everything but the command runs in one `{ ...; }` group whose output goes to /dev/null, with the
 *   markers written to copies of the pipes (fds 63/62) that exist only during the group. A DEBUG or ERR
 *   trap, `set -x` or `set -v` left on by a command therefore never show the protocol's own steps.
 * - The command runs with its stdout/stderr redirected to the pipes and 63/62 closed, so what it does to
 *   its own descriptors (`exec >file`, `exec 63>&-`) ends with it, and its children inherit no extra fds.
 * - An EXIT trap installed for each command reports the state when the command ends the shell (`exit`,
 *   errexit, a signal). It first runs the user's own EXIT action (core keeps it, see `exitTrapAction`), and
 *   speaks only for the shell itself (`$BASHPID`) and only while a command runs (`$BASH_COMMAND`, which in
 *   a trap names the command that was running), so a forked child or an idle shell never reports.
 *
 * Wire format per command, with a fresh random nonce N and RS the byte 0x1e (markers are found by exact
 * search, so none needs a newline before it, and output ending in a newline is never held back):
 *   stdout:  RS "__HERMES_N_BEGIN " <uptime at start, for the tree kill> "\n"
 *   stderr:  RS "__HERMES_N_BEGIN\n"
 *   both:    <command output, exactly> RS "__HERMES_N_END\n"
 *   stdout:  <status> " " <1 if the shell is exiting> "\n" <shell pid> "\n" <printf %q of $PWD> "\0"
 *            <trap -p EXIT> "\0" <export -p> RS "__HERMES_N_DONE\n"
 */
export const bootstrapScript = "builtin shopt -s expand_aliases\n";

/** Where the protocol's own steps run: markers to 63/62, anything else (traces, DEBUG trap output) nowhere. */
const quiet = "63>&1 62>&2 >/dev/null 2>&1";

/** What a shell needs to do to reach the session's state before a command (see `stateRestore`). */
export interface StateRestore {
  /** `cd` to this directory (a bash word) first. */
  cwd?: string;
  /** `export`/`unset` statements, or "". */
  variables: string;
}

export interface CommandScriptOptions {
  nonce: string;
  execId: string;
  command: string;
  restore?: StateRestore;
  /** The user's EXIT trap action in this shell, as a bash word (see `exitTrapAction`). */
  exitTrap?: string;
  /** Per-call cwd/env: the command then runs in a subshell so neither leaks into the session. */
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** The command reads the shell's own stdin (data follows this line); the shell exits afterwards. */
  readsStdin?: boolean;
}

/** One line for a session shell to run one command and report how it ended. */
export function commandScript(options: CommandScriptOptions): string {
  const nonce = options.nonce;
  const steps: string[] = [];
  if (options.restore?.cwd !== undefined) steps.push(enterOrFallBack(options.restore.cwd));
  if (options.restore?.variables) steps.push(options.restore.variables);
  steps.push(
    `builtin trap -- ${quoteShellWord(exitHandler(nonce, options.exitTrap))} EXIT`,
    `builtin export HERMES_EXEC_ID=${options.execId}`,
    "__hermes_t=",
    "builtin read -r __hermes_t _ </proc/uptime",
    `builtin printf '\\036__HERMES_${nonce}_BEGIN %s\\n' "$__hermes_t" >&63`,
    `builtin printf '\\036__HERMES_${nonce}_BEGIN\\n' >&62`,
    "builtin unset __hermes_t",
    options.restore?.cwd !== undefined ? unlessCwdLost(runCommand(options)) : runCommand(options),
    "__hermes_s=$?",
    "builtin set +o errexit +o nounset +o xtrace +o verbose",
    "builtin unset HERMES_EXEC_ID",
    `builtin printf '\\036__HERMES_${nonce}_END\\n' >&62`,
    `builtin printf '\\036__HERMES_${nonce}_END\\n%d 0\\n%d\\n%q\\0' "$__hermes_s" "$$" "\${PWD-}" >&63`,
    "builtin trap -p EXIT >&63",
    "builtin printf '\\0' >&63",
    "builtin export -p >&63",
    `builtin printf '\\036__HERMES_${nonce}_DONE\\n' >&63 || builtin exit 70`,
    "builtin unset __hermes_s",
    // The EXIT trap recognises an idle shell by this being the last command it ran.
    idleMarker(nonce),
  );
  // A shell that was given stdin data exits before it could read what the command left of it as commands.
  if (options.readsStdin) steps.push("builtin trap - EXIT", "builtin exit");
  return `{ ${steps.join("; ")}; } ${quiet}\n`;
}

function runCommand(options: CommandScriptOptions): string {
  const redirections = `${options.readsStdin ? "" : " </dev/null"} >&63 2>&62 63>&- 62>&-`;
  // `$_` starts each command empty (it cannot be the previous command's last argument), not a protocol word.
  const evaluate = `builtin : ''; builtin eval ${quoteShellWord(options.command)}`;
  if (options.cwd === undefined && (!options.env || Object.keys(options.env).length === 0)) return `${evaluate}${redirections}`;
  const steps: string[] = [];
  if (options.cwd !== undefined) steps.push(`builtin cd -- ${quoteShellWord(options.cwd, "cwd")} || builtin exit 1`);
  const exports = exportStatement(options.env ?? {});
  if (exports) steps.push(exports);
  return `( ${steps.join("; ")}; ${evaluate} )${redirections}`;
}

function idleMarker(nonce: string): string {
  return `builtin : ${nonce}`;
}

/**
 * The EXIT trap for one command: the user's action first (with `$?` as bash gives it), then, when this is
 * the session shell ending during the command, the end markers and state with the exiting flag.
 */
function exitHandler(nonce: string, userAction: string | undefined): string {
  const user = userAction === undefined ? "" : `builtin eval ${userAction}; `;
  const report = [
    `builtin printf '\\036__HERMES_${nonce}_END\\n' >&62`,
    `builtin printf '\\036__HERMES_${nonce}_END\\n%d 1\\n%d\\n%q\\0\\0' "$__hermes_x" "$$" "\${PWD-}" >&63`,
    "builtin export -p >&63",
    `builtin printf '\\036__HERMES_${nonce}_DONE\\n' >&63`,
  ].join("; ");
  const speaks = `[ "$BASHPID" = "$$" ] && [ "$BASH_COMMAND" != ${quoteShellWord(idleMarker(nonce))} ]`;
  // Where the pipes are depends on how the shell is ending: `exit` in the command leaves the command's own
  // descriptors (63/62 closed), errexit unwinds to the protocol's group (63/62 open, 1/2 to /dev/null).
  // (`builtin true` probes them: in POSIX mode a failed redirection of a special builtin such as `:` ends the shell.)
  const pipes = "__hermes_o=63 __hermes_e=62; { builtin true >&63 && builtin true >&62; } 2>/dev/null || __hermes_o=61 __hermes_e=60";
  return `${user}{ __hermes_x=$?; ${speaks} && { ${pipes}; { ${report}; } 63>&$__hermes_o 62>&$__hermes_e; }; } 61>&1 60>&2 >/dev/null 2>&1`;
}

/**
 * What `trap -p EXIT` prints while the session's handler for this command is installed; any other output
 * means the command set its own EXIT trap (or removed it).
 */
export function installedExitTrap(nonce: string, userAction: string | undefined): string {
  return `trap -- ${bashSingleQuote(exitHandler(nonce, userAction))} EXIT\n`;
}

/**
 * The user's EXIT action from a `trap -p EXIT` line that is not the session's: the bash word to `eval` at
 * exit, or undefined when no EXIT trap is set.
 */
export function exitTrapAction(printed: string): string | undefined {
  const match = /^trap -- ('(?:[^']|'\\'')*') EXIT\n?$/s.exec(printed);
  return match?.[1];
}

/** Quotes the way bash's `trap -p` does: always single quotes, `'` as `'\''`. */
function bashSingleQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * `cd` to the session's directory; when it no longer exists (deleted, then the shell was replaced), go to
 * the nearest ancestor that does and remember it, so the command is refused with the reason.
 */
function enterOrFallBack(cwd: string): string {
  return (
    `builtin cd -- ${cwd} || { __hermes_lost=${cwd}; __hermes_d=$__hermes_lost; ` +
    `while [ -n "$__hermes_d" ] && ! builtin cd -- "$__hermes_d"; do __hermes_d=\${__hermes_d%/*}; done; ` +
    `[ -n "$__hermes_d" ] || builtin cd /; builtin unset __hermes_d; }`
  );
}

function unlessCwdLost(run: string): string {
  const message = "hermes: the working directory %s no longer exists, so this command did not run; the session is now in %s\\n";
  return `if [ -z "\${__hermes_lost+x}" ]; then ${run}; else builtin printf '${message}' "$__hermes_lost" "$PWD" >&62; builtin unset __hermes_lost; builtin false; fi`;
}

export interface ShellState {
  /** The working directory, decoded. */
  cwd: string;
  /** The same as bash printed it (`printf %q`), which recreates every byte. */
  cwdWord: string;
  /** Exported variables: name -> value as a bash word (see `parseExportOutput`), null when exported without one. */
  env: ReadonlyMap<string, string | null>;
}

/** What a shell in state `from` must do to reach state `to`. `PWD` follows the `cd` (it is not restored over it). */
export function stateRestore(from: ShellState, to: ShellState): StateRestore {
  const set: string[] = [];
  for (const [name, value] of to.env) {
    if (name === "PWD" || (from.env.get(name) === value && from.env.has(name))) continue;
    set.push(value === null ? name : `${name}=${value}`);
  }
  const steps: string[] = [];
  if (set.length > 0) steps.push(`builtin export ${set.join(" ")}`);
  const unset = [...from.env.keys()].filter((name) => name !== "PWD" && !to.env.has(name));
  if (unset.length > 0) steps.push(`builtin unset ${unset.join(" ")}`);
  return { ...(from.cwdWord !== to.cwdWord && { cwd: to.cwdWord }), variables: steps.join("; ") };
}

/** Script for a fresh `bash -c`: the backend's prelude, the session's state, then the command or argv. */
export function oneShotScript(options: {
  prelude: string | undefined;
  restore: StateRestore;
  cwd: string | undefined;
  env: Readonly<Record<string, string>> | undefined;
  command: string | undefined;
}): string {
  const steps: string[] = [];
  if (options.prelude) steps.push(options.prelude);
  if (options.restore.cwd !== undefined) steps.push(`builtin cd -- ${options.restore.cwd} || builtin exit 1`);
  if (options.restore.variables) steps.push(options.restore.variables);
  if (options.cwd !== undefined) steps.push(`builtin cd -- ${quoteShellWord(options.cwd, "cwd")} || builtin exit 1`);
  const exports = exportStatement(options.env ?? {});
  if (exports) steps.push(exports);
  // The command keeps line 1 for its own error messages only when nothing precedes it; the prelude shares one line.
  const head = steps.join("; ");
  const body = options.command ?? 'builtin exec "$@"';
  return head ? `${head}\n${body}` : body;
}
