import { blockRun, commandFds, headerLength, piecesOver, quickBlock } from "./command-payload.js";

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
 * - The protocol's own steps run with their output to /dev/null, with the markers written to copies of the
 *   pipes (fds 63/62); the report runs in the loop's condition, where errexit and ERR traps do not apply. A
 *   DEBUG or ERR trap, `set -x` or `set -v` left on by a command therefore never show the protocol, and a
 *   `break` or `continue` in a command still reports. Only around a quick command, whose steps nothing can
 *   make noisy, are stdout and stderr the pipes themselves (see `open`).
 * - The command runs with its stdout/stderr on the pipes and 63/62 closed; any but a quick one (which can
 *   only run programs) under redirections of its own, so what it does to its descriptors (`exec >file`,
 *   `exec 63>&-`) ends with it. Its children inherit no extra fds.
 * - An EXIT trap reports the state when a command ends the shell (`exit`, errexit, a signal, `break 2`).
 *   It first runs the user's own EXIT action (core keeps it, see `exitTrapAction`, and installs the trap
 *   again when a command changed it), and speaks only for the shell itself (`$BASHPID`) and only
 *   while a command runs (`$BASH_COMMAND`, which in a trap names the command that was running), so a forked
 *   child or an idle shell never reports.
 *
 * Each payload is a header and two parts, or in a run of quick commands a block of fixed size, so that
 * bash reads it in one go (see `commandPayload`). On transports that need it, what comes
 * before its 0x01 is skipped: filler core may write to make a transport flush (see
 * `BackendInstance.nudgeAcks`). Wire format, with N the shell's random nonce and RS the byte 0x1e (markers
 * are found by exact search, so none needs a newline before it, and output ending in a newline is never
 * held back). The loop line itself reports the shell's initial state as a first command. Stderr has no
 * BEGIN marker, nor has stdout for a quick command: what arrives there while a command runs is the command's.
 *   stdout:  RS "__HERMES_N_BEGIN " <the clock at start, for the tree kill> "\n", unless quick
 *   stdout:  <command output, exactly> RS "__HERMES_N_END " <status> " " then, for a quick command, "q "
 *            <clock> "\0"; for any other, <1 if the shell is exiting, else nothing> " " <shell pid> " " <$->
 *            " " <clock> " " <printf %q of $PWD> "\0" <trap -p> "\0" <declare -F> <alias -p> "\0" <export -p>;
 *            then RS "__HERMES_N_DONE\n". The clock is the shell's when it reported, `e` and $EPOCHREALTIME
 *            (empty in bash 4, which then gets no quick command).
 *   stderr:  <command output, exactly> RS "__HERMES_N_END\n", except after a quick command on a transport
 *            that reads both streams in write order (`quickStderrEnd` false, see `BackendInstance.outputInOrder`)
 */
export function sessionLoop(nonce: string, prelude?: string, acknowledgePieces = false, quickStderrEnd = true): string {
  const marker = (text: string) => `'\\036__HERMES_${nonce}_${text}'`;
  // When the command began, for the tree kill (see `killTaggedFunction`): bash 5's clock, `e` and
  // $EPOCHREALTIME (no system call), or else the /proc/uptime reading.
  const withClock = (print: (clock: string) => string) =>
    `if [[ -n \${EPOCHREALTIME-} ]]; then ${print('"e$EPOCHREALTIME"')}; else builtin read -r __hermes_t _ </proc/uptime; ${print('"$__hermes_t"')}; builtin unset __hermes_t; fi`;
  // The BEGIN line (a quick command has none), written quiet. With acknowledged pieces the clock has a marker
  // of its own: after the BEGIN line a large payload sent first (`__hermes_b` set), or in one write with the BEGIN.
  const begin = acknowledgePieces
    ? withClock(
        (clock) =>
          `if [ -n "\${__hermes_b+x}" ]; then builtin printf ${marker("UPTIME %s\\n")} ${clock} >&63; builtin unset __hermes_b; else builtin printf ${marker("BEGIN ")}${marker("UPTIME %s\\n")} ${clock} >&63; fi`,
      )
    : withClock((clock) => `builtin printf ${marker("BEGIN %s\\n")} ${clock} >&63`);
  // The header: the kind of payload, the exec id and two byte counts, in ASCII (see `commandPayload`). `read
  // -N` counts characters of the user's locale, which are bytes only in ASCII: a payload that is not is read
  // in the C locale, at the price of two locale switches. Without filler to skip, the 0x01 is read with the
  // header: one read fewer per command.
  const at = acknowledgePieces ? 0 : 1;
  const field = (offset: number, length: number) => `\${__hermes_h:${at + offset}:${length}}`;
  const kind = field(0, 1);
  const preCount = field(17, 8);
  const runCount = field(25, 8);
  const readBoth = (locale: string) =>
    [`${locale}builtin read -r -N "$((16#${preCount}))" __hermes_p`, `${locale}builtin read -r -N "$((16#${runCount}))" __hermes_r`].join(
      " && ",
    );
  const readRun = `builtin read -r -N "$((16#${runCount}))" __hermes_r`;
  const whole = `if [[ ${kind} == q ]]; then ${readRun}; elif [[ ${kind} == a ]]; then ${readBoth("")}; else ${readBoth("LC_ALL=C ")}; fi`;
  // A payload larger than one of srun's 1 KiB messages: the BEGIN line goes first, each piece is acknowledged.
  // (Core never sends a quick one that large there: a quick command has no BEGIN line.)
  const inPieces = [
    `builtin printf ${marker("BEGIN \\n")} >&63`,
    "__hermes_b=",
    readInPieces("__hermes_p", preCount),
    readInPieces("__hermes_r", runCount),
  ].join(" && ");
  const readHeader = acknowledgePieces
    ? `builtin read -r -d $'\\001' _ && builtin read -r -N ${headerLength} __hermes_h`
    : `builtin read -r -N ${headerLength + 1} __hermes_h`;
  // The rest of a payload, once its header is read (quiet: the pieces' acknowledgements go to fd 63).
  const readBody = acknowledgePieces
    ? `if [ "$((16#${preCount} + 16#${runCount}))" -gt ${piecesOver} ]; then ${inPieces}; else ${whole}; fi`
    : whole;
  // Two arrangements of descriptors. Quiet, for any command but a quick one: the protocol's steps write to
  // /dev/null and their markers to copies of the pipes (fds 63/62), so a DEBUG or ERR trap, `set -x` or
  // `set -v` left on by a command never show them. Open, around a run of quick commands, whose steps nothing
  // can make noisy (no such trap, no such option: see `ShellReport`): stdout and stderr are the pipes, with
  // no copy to close, and stdin is /dev/null. The payloads are then read from the copy of stdin that bash
  // keeps to undo the redirection, which it makes close-on-exec, so the programs a command runs never get it
  // and the command needs no redirection of its own. Bash puts that copy on the lowest free descriptor from
  // 10 up, as it does a `{var}` one: `findCopy` learns which, by opening and closing one first; the run's
  // first redirection closes stdin, so its copy is the first bash makes there (`0</dev/null` then opens 0).
  const findCopy = "command exec {__hermes_in}<&0 {__hermes_in}<&-";
  const open = `0<&- 0</dev/null ${commandFds}`;
  const fromCopy = ' -u "$__hermes_in"';
  // The full record: `<status> <1 if the shell is exiting, else nothing> <pid> <$-> <clock> <cwd>\0`. It has no
  // newline before its end, so bash's line-buffered stdout writes it at once.
  const clock = '"${EPOCHREALTIME:+e$EPOCHREALTIME}"';
  const record = `builtin printf ${marker("END %d  %d %s %s %q\\0")} "$__hermes_s" "$$" "$-" ${clock} "\${PWD-}" >&63 || builtin exit 70`;
  // The report, then the next payload: in the loop's condition, where errexit and ERR traps do not apply.
  // `$?` is the command's in its first step (`set -e` left on cannot end the shell at an assignment). Then
  // come its record, the options reset, the traps, the names a command could mean other than a program
  // (functions, then aliases) and the exports. `__hermes_last` (a shell given stdin data, never quick) or
  // end-of-input leave the loop; the EXIT trap then stays silent.
  const report = [
    "__hermes_s=$?",
    record,
    "builtin unset __hermes_s",
    "[[ $- != *[euxv]* ]] || builtin set +euxv",
    `builtin printf ${marker("END\\n")} >&62`,
    "builtin unset HERMES_EXEC_ID",
    "builtin trap -p >&63",
    "builtin printf '\\0' >&63",
    "builtin declare -F >&63",
    "builtin alias -p >&63",
    "builtin printf '\\0' >&63",
    "builtin export -p >&63",
    `builtin printf ${marker("DONE\\n")} >&63 || builtin exit 70`,
    `[ -z "\${__hermes_last+x}" ] && ${readHeader} && ${readBody}`,
  ].join("; ");
  const reportAndNext = `{ ${report}; } || { __hermes_eof=; builtin false; }`;
  const tag = `builtin export HERMES_EXEC_ID=${field(1, 16)}`;
  // Quick commands, one after another, in the open arrangement: each is `run` itself, evaluated here with
  // the loop's variables still set (programs cannot see them, nor `$_`), and reported right after it, with
  // no BEGIN line: `<status> q <clock>\0` and the DONE marker in one write, then the stderr END. The clock
  // is the earliest the next quick command can begin (core's tree kill starts from it). A block of any
  // other kind ends the run: bash undoes its redirections, and the next payload is read as usual, quiet.
  const quickRecord = `builtin printf ${marker("END %d q %s\\0")}${marker("DONE\\n")} "$?" "e$EPOCHREALTIME" || builtin exit 70`;
  // After the first quick command of a run, each payload comes as a block of `quickBlock` characters, read
  // in one go (see `commandPayload`): `q`, a quick command padded to the block; `l`, a longer one, whose
  // rest follows the block; any other kind leaves the run, and the next payload follows in the usual form.
  const blockKind = (letter: string) => `[[ $__hermes_h == ${"?".repeat(at)}${letter}* ]]`;
  const readBlock = acknowledgePieces
    ? `builtin read -r -d $'\\001'${fromCopy} _ && builtin read -r -N ${quickBlock - 1}${fromCopy} __hermes_h`
    : `builtin read -r -N ${quickBlock}${fromCopy} __hermes_h`;
  const readRest = `builtin read -r -N "$((16#${runCount} - ${blockRun}))"${fromCopy} __hermes_r && __hermes_h+=$__hermes_r`;
  const nextQuick = `${readBlock} && { ${blockKind("q")} || { ${blockKind("l")} && ${readRest}; }; }`;
  // The tag is exported once per run, then only assigned (cheaper than the builtin).
  const fromBlock = `__hermes_r=\${__hermes_h:${at + headerLength}:16#${runCount}} HERMES_EXEC_ID=${field(1, 16)}`;
  const quickStderr = quickStderrEnd ? `builtin printf ${marker("END\\n")} >&2; ` : "";
  const quickRun = `${findCopy}; { ${tag}; while builtin eval "$__hermes_r"; ${quickRecord}; ${quickStderr}${nextQuick}; do ${fromBlock}; done; } ${open}`;
  const afterQuick = `builtin unset __hermes_in; ${readHeader} && [[ ${kind} == [ab] ]] && ${readBody} || { __hermes_eof=; builtin exit; }`;
  // Any other `run` is a wrapper that unsets the loop's variables and sets up the command's descriptors
  // itself (see `commandFds`), as the protocol's own steps in it must stay quiet. Only it has a `pre`.
  const other = ['[[ -z $__hermes_p ]] || builtin eval "$__hermes_p"', tag, begin, 'builtin eval "$__hermes_r"'];
  const body = `if [[ ${kind} == q ]]; then ${quickRun}; ${afterQuick}; fi; ${other.join("; ")}`;
  // One line, prelude included: a command's line numbers then count from 1, as in `bash -c`.
  // A `break` or `continue` in a command ends the inner loop's turn, not the session: the outer loop goes on.
  const inner = `while ${reportAndNext}; do { ${body}; }; done`;
  // The loops start quiet, in a group set up once: redirections per command cost a dozen system calls.
  const loops = `{ ${begin}; while :; do ${inner}; [ -z "\${__hermes_eof+x}" ] || builtin exit; done; } ${quiet}`;
  return `${prelude ? `${prelude}; ` : ""}builtin shopt -s expand_aliases; ${loops}; builtin exit\n`;
}

/**
 * Reads `variable` (`count`: hex digits of its byte length) 512 bytes at a time, printing a newline after
 * each piece. For transports that pass stdin on in pieces of their own and send the next only once this
 * side has sent something (srun: 1 KiB messages, then slurmstepd's delayed ACK, 40 ms; slurmstepd sends
 * output by whole lines): each newline, to stdout by way of fd 63, carries that ACK. The host drops them (see
 * `markersFor().uptime`).
 */
function readInPieces(variable: string, count: string): string {
  const left = "__hermes_k";
  const step = `LC_ALL=C builtin read -r -N "$((${left} < 512 ? ${left} : 512))" __hermes_c || builtin break; ${variable}+=$__hermes_c; ${left}=$((${left} - 512)); builtin printf '\\n' >&63`;
  return `${variable}= && ${left}=$((16#${count})) && { while [ "$${left}" -gt 0 ]; do ${step}; done; [ "$${left}" -le 0 ]; } && builtin unset __hermes_c ${left}`;
}

/** Where the protocol's own steps run: markers to 63/62, anything else (traces, DEBUG trap output) nowhere. */
const quiet = "63>&1 62>&2 >/dev/null 2>&1";
