import { exitHandler } from "./session-traps.js";
import { exportStatement, quoteShellWord } from "./shell-quote.js";
import type { StateRestore } from "./state-restore.js";

/**
 * Run first in every shell core starts: descriptors it inherited without close-on-exec (from whatever
 * started the host program: a CI runner, a terminal multiplexer, a backend's own plumbing) would
 * otherwise reach every command, so they are closed (`command exec`: redirections of `builtin exec`
 * end with it). Without /proc the glob stays unexpanded and nothing is closed.
 */
export const closeInheritedDescriptors =
  'for __hermes_fd in /proc/self/fd/*; do __hermes_fd=${__hermes_fd##*/}; case $__hermes_fd in *[!0-9]* | [012]) ;; *) builtin eval "command exec $__hermes_fd>&-" ;; esac; done; builtin unset __hermes_fd';

/**
 * The bash side of the session protocol. A session shell is `bash -s` whose first line is a loop: it reads
 * each command as a length-prefixed payload (`read -N` takes it in a few reads; bash reads a line from a
 * pipe one byte at a time), runs it with `eval` at top level, so functions, aliases and variables live on as
 * in a terminal, and reports how it ended. The loop is parsed once and held by bash, in no variable or
 * function: the shell defines nothing a command could unset, shadow or read.
 *
 * - The protocol's own steps run in groups whose output goes to /dev/null, with the markers written to
 *   copies of the pipes (fds 63/62) that exist only during the group; the report runs in the loop's
 *   condition, where errexit and ERR traps do not apply. A DEBUG or ERR trap, `set -x` or `set -v` left on
 *   by a command therefore never show the protocol, and a `break` or `continue` in a command still reports.
 * - The command runs with its stdout/stderr redirected to the pipes and 63/62 closed, so what it does to
 *   its own descriptors (`exec >file`, `exec 63>&-`) ends with it, and its children inherit no extra fds.
 * - An EXIT trap reports the state when a command ends the shell (`exit`, errexit, a signal, `break 2`). It first runs the user's own EXIT action (core keeps it, see `exitTrapAction`, and installs
 *   the trap again when a command changed it), and speaks only for the shell itself (`$BASHPID`) and only
 *   while a command runs (`$BASH_COMMAND`, which in a trap names the command that was running), so a forked
 *   child or an idle shell never reports.
 *
 * Each payload is the byte 0x01, a header of `a` (all ASCII) or `b` and two 8-digit hex byte counts, then
 * `pre` (restores the session's state, tags the command) and `run` (evaluates the command). On transports
 * that need it, what comes before the 0x01 is skipped: filler core may write to make a transport flush (see
 * `BackendInstance.nudgeAcks`). Wire format, with N the shell's random nonce and RS the
 * byte 0x1e (markers are found by exact search, so none needs a newline before it, and output ending in a
 * newline is never held back). The loop line itself reports the shell's initial state as a first command.
 *   stdout:  RS "__HERMES_N_BEGIN " <the clock at start, for the tree kill> "\n"
 *   stderr:  RS "__HERMES_N_BEGIN\n"
 *   stdout:  <command output, exactly> RS "__HERMES_N_END " <status> " " <1 if the shell is exiting, q
 *            for a quick report> " " <shell pid> " " <printf %q of $PWD> "\0"
 *            [<trap -p> "\0" <export -p>, unless quick] RS "__HERMES_N_DONE\n"
 *   stderr:  <command output, exactly> RS "__HERMES_N_END\n"
 */
export function sessionLoop(nonce: string, prelude?: string, acknowledgePieces = false): string {
  const marker = (text: string) => `'\\036__HERMES_${nonce}_${text}'`;
  // When the command began, for the tree kill (see `killTaggedFunction`): bash 5's clock, `e` and
  // $EPOCHREALTIME (no system call), or else the /proc/uptime reading.
  const beginWith = (stdoutLine: string) =>
    [
      "__hermes_t=${EPOCHREALTIME:+e$EPOCHREALTIME}",
      "[[ -n $__hermes_t ]] || builtin read -r __hermes_t _ </proc/uptime",
      stdoutLine,
      `builtin printf ${marker("BEGIN\\n")} >&62`,
      "builtin unset __hermes_t",
    ].join("; ");
  const begin = beginWith(`builtin printf ${marker("BEGIN %s\\n")} "$__hermes_t" >&63`);
  // With acknowledged pieces the uptime has a marker of its own: after the BEGIN line a large payload sent
  // first (`__hermes_b` set), or in one write with the BEGIN.
  const uptimeLine = `if [ -n "\${__hermes_b+x}" ]; then builtin printf ${marker("UPTIME %s\\n")} "$__hermes_t" >&63; builtin unset __hermes_b; else builtin printf ${marker("BEGIN ")}${marker("UPTIME %s\\n")} "$__hermes_t" >&63; fi`;
  const beginAfterPieces = acknowledgePieces ? beginWith(uptimeLine) : begin;
  const firstBegin = acknowledgePieces ? beginAfterPieces : begin;
  // The status record comes first, while `$?` is still the command's (`set -e` left on cannot end the
  // shell at a printf that succeeds; traces go to /dev/null). It has no newline before its end, so bash's
  // line-buffered stdout writes it at once. After a command that could not change them (`__hermes_q` set,
  // see `commandPayload`) the traps and exports are left out: the record says `q` where the exiting flag
  // goes and ends with the DONE marker itself (`%b` of its escapes).
  const done = `\\036__HERMES_${nonce}_DONE\\n`;
  const report = [
    `builtin printf ${marker("END %d %s %d %q\\0%b")} "$?" "\${__hermes_q-0}" "$$" "\${PWD-}" "\${__hermes_q+${done}}" >&63 || builtin exit 70`,
    "builtin set +euxv",
    "builtin unset HERMES_EXEC_ID",
    `builtin printf ${marker("END\\n")} >&62`,
    `if [[ -n \${__hermes_q+x} ]]; then builtin unset __hermes_q; else builtin trap -p >&63; builtin printf '\\0' >&63; builtin export -p >&63; builtin printf ${marker("DONE\\n")} >&63 || builtin exit 70; fi`,
  ].join("; ");
  // The header is a flag and two byte counts, in ASCII. `read -N` counts characters of the user's locale,
  // which are bytes only in ASCII: a payload that is not is read in the C locale, at the price of two
  // locale switches. Without filler to skip, the 0x01 is read with the header: one read fewer per command.
  const at = acknowledgePieces ? 0 : 1;
  const flag = `\${__hermes_h:${at}:1}`;
  const preCount = `\${__hermes_h:${at + 1}:8}`;
  const runCount = `\${__hermes_h:${at + 9}:8}`;
  const readBoth = (locale: string) =>
    [`${locale}builtin read -r -N "$((16#${preCount}))" __hermes_p`, `${locale}builtin read -r -N "$((16#${runCount}))" __hermes_r`].join(
      " && ",
    );
  const whole = `if [[ ${flag} == a ]]; then ${readBoth("")}; else ${readBoth("LC_ALL=C ")}; fi`;
  // A payload larger than one of srun's 1 KiB messages: the BEGIN line goes first, each piece is acknowledged.
  const inPieces = [
    `builtin printf ${marker("BEGIN \\n")} >&63`,
    "__hermes_b=",
    readInPieces("__hermes_p", preCount),
    readInPieces("__hermes_r", runCount),
  ].join(" && ");
  const next = acknowledgePieces
    ? [
        "builtin read -r -d $'\\001' _",
        "builtin read -r -N 17 __hermes_h",
        `if [ "$((16#${preCount} + 16#${runCount}))" -gt 1000 ]; then ${inPieces}; else ${whole}; fi`,
      ].join(" && ")
    : `builtin read -r -N 18 __hermes_h && ${whole}`;
  // `__hermes_last` (set by a shell given stdin data) or end-of-input leave the loop; the EXIT trap then stays silent.
  const more = `{ [ -z "\${__hermes_last+x}" ] && ${next}; } || { __hermes_eof=; builtin false; }`;
  const body = `builtin eval "$__hermes_p"; ${beginAfterPieces}; builtin eval "$__hermes_r"`;
  // One line, prelude included: a command's line numbers then count from 1, as in `bash -c`.
  // A `break` or `continue` in a command ends the inner loop's turn, not the session: the outer loop goes on.
  const inner = `while { ${report}; }; ${more}; do { ${body}; }; done`;
  // The loops run inside one quiet group, set up once: redirections per command cost a dozen system calls.
  const loops = `{ ${firstBegin}; while :; do ${inner}; [ -z "\${__hermes_eof+x}" ] || builtin exit; done; } ${quiet}`;
  return `${prelude ? `${prelude}; ` : ""}builtin shopt -s expand_aliases; ${loops}; builtin exit\n`;
}

/**
 * Reads `variable` (`count`: hex digits of its byte length) 512 bytes at a time, printing a newline after
 * each piece. For transports that pass stdin on in pieces of their own and send the next only once this
 * side has sent something (srun: 1 KiB messages, then slurmstepd's delayed ACK, 40 ms; slurmstepd sends
 * output by whole lines): each newline carries that ACK. The host drops them (see `markersFor().uptime`).
 */
function readInPieces(variable: string, count: string): string {
  const left = "__hermes_k";
  const step = `LC_ALL=C builtin read -r -N "$((${left} < 512 ? ${left} : 512))" __hermes_c || builtin break; ${variable}+=$__hermes_c; ${left}=$((${left} - 512)); builtin printf '\\n' >&63`;
  return `${variable}= && ${left}=$((16#${count})) && { while [ "$${left}" -gt 0 ]; do ${step}; done; [ "$${left}" -le 0 ]; } && builtin unset __hermes_c ${left}`;
}

/** Where the protocol's own steps run: markers to 63/62, anything else (traces, DEBUG trap output) nowhere. */
const quiet = "63>&1 62>&2 >/dev/null 2>&1";

export interface CommandScriptOptions {
  /** The shell's nonce (hex): in every marker. */
  nonce: string;
  execId: string;
  command: string;
  restore?: StateRestore;
  /** Install the session's EXIT trap first (a new shell, or a command changed the trap). */
  installExitTrap?: boolean;
  /** The user's EXIT trap action in this shell, as a bash word (see `exitTrapAction`). */
  exitTrap?: string;
  /** Per-call cwd/env: the command then runs in a subshell so neither leaks into the session. */
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** The command reads the shell's own stdin (data follows the payload); the shell exits afterwards. */
  readsStdin?: boolean;
  /**
   * The command cannot change the exported variables or traps if none of these names is a function or an
   * alias (see `commandNamesIfStateNeutral`): the report then leaves them out. Only without a restore.
   */
  stateNeutralNames?: readonly string[];
}

/** The payload for a session shell's loop (see `sessionLoop`) that runs one command. */
export function commandPayload(options: CommandScriptOptions): string {
  const pre: string[] = [];
  if (options.restore?.cwd !== undefined) pre.push(enterOrFallBack(options.restore.cwd));
  if (options.restore?.variables) pre.push(options.restore.variables);
  if (options.installExitTrap) pre.push(`builtin trap -- ${quoteShellWord(exitHandler(options.nonce, options.exitTrap))} EXIT`);
  pre.push(`builtin export HERMES_EXEC_ID=${options.execId}`);
  // A shell that was given stdin data leaves the loop after this command: what the command left of the data
  // must never be read as a payload.
  if (options.readsStdin) pre.push("__hermes_last=");
  // The command cannot change the exports or traps unless one of its names is a function or an alias, or
  // allexport is on (`__hermes_q` itself would be exported): then the report may leave them out.
  if (options.stateNeutralNames) {
    const checks = options.stateNeutralNames.flatMap((name) => {
      const word = quoteShellWord(name);
      return [`builtin declare -F ${word}`, `builtin alias ${word}`];
    });
    pre.push(`{ ${[...checks, "[[ $- == *a* ]]"].join(" || ")}; } || __hermes_q=q`);
  }
  const run = `builtin unset __hermes_h __hermes_p __hermes_r; ${options.restore?.cwd !== undefined ? unlessCwdLost(runCommand(options)) : runCommand(options)}`;
  const preText = pre.join("; ");
  const preBytes = Buffer.byteLength(preText);
  const runBytes = Buffer.byteLength(run);
  // As many UTF-8 bytes as UTF-16 code units: every character is ASCII.
  const flag = preBytes === preText.length && runBytes === run.length ? "a" : "b";
  return `\x01${flag}${hexCount(preBytes)}${hexCount(runBytes)}${preText}${run}`;
}

function hexCount(bytes: number): string {
  return bytes.toString(16).padStart(8, "0");
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
