/** The payloads core writes to a session shell's loop (see session-script.ts), one per command. */
import { exitHandler } from "./session-traps.js";
import { exportStatement, quoteShellWord } from "./shell-quote.js";
import { restoresNothing, type StateRestore } from "./state-restore.js";

/** What the loop reads a payload into: the header, `pre` and `run`. */
const loopVariables = "__hermes_h __hermes_p __hermes_r";

/** Characters of a payload's header after its 0x01: kind, exec id, two byte counts. */
export const headerLength = 33;

/**
 * Characters of a payload block in a run of quick commands, 0x01 included (see `sessionLoop`). `read -N`
 * costs bash about 25 ns a character, so the block is small: most commands an agent runs fit.
 */
export const quickBlock = 128;

/** The most characters of a quick command a block holds. */
export const blockRun = quickBlock - 1 - headerLength;

/** Ends a run of quick commands: a block of no kind the run takes. The next payload follows as usual. */
const leaveQuickRun = `\x01x${" ".repeat(quickBlock - 2)}`;

/**
 * The command's descriptors: its output on the pipes, the protocol's copies closed, so what it does to its
 * own (`exec >file`, `exec 63>&-`) ends with it and its children inherit no extra fds.
 */
export const commandFds = ">&63 2>&62 63>&- 62>&-";

export interface CommandScriptOptions {
  /** The shell's nonce (hex): in every marker. */
  nonce: string;
  /** 16 hex digits (see `newId`): the payload's header carries it at a fixed width. */
  execId: string;
  command: string;
  restore?: StateRestore | undefined;
  /** Install the session's EXIT trap first (a new shell, or a command changed the trap). */
  installExitTrap?: boolean;
  /** The user's EXIT trap action in this shell, as a bash word (see `exitTrapAction`). */
  exitTrap?: string | undefined;
  /** Per-call cwd/env: the command then runs in a subshell so neither leaks into the session. */
  cwd?: string | undefined;
  env?: Readonly<Record<string, string>> | undefined;
  /** The command reads the shell's own stdin (data follows the payload); the shell exits afterwards. */
  readsStdin?: boolean;
  /**
   * The command cannot change the shell's state (see `ShellReport`): its report leaves the traps, names and
   * exports out. Only without a restore, and never with stdin data.
   */
  quick?: boolean;
  /** The loop reads payloads over `piecesOver` bytes in acknowledged pieces (see `sessionLoop`). */
  acknowledgePieces?: boolean;
  /** The shell's last payload was quick: it is in a run of quick commands, reading blocks. */
  inQuickRun?: boolean;
}

/** A payload for the loop, and whether it is a quick one (reported with no BEGIN line and a short record). */
export interface CommandPayload {
  text: string;
  quick: boolean;
}

/** With acknowledged pieces, a payload with more bytes than this (`pre` and `run`) is read in pieces. */
export const piecesOver = 1000;

/**
 * The payload for a session shell's loop (see `sessionLoop`) that runs one command: the byte 0x01, a header
 * of its kind, the exec id and the byte counts of `pre` and `run` (8 hex digits each), then `pre` (restores
 * the session's state; usually empty) and `run`. The kind is `q` for a quick command, whose `run` is the
 * command itself (or its per-call subshell), all ASCII, with no `pre` and never read in pieces; else `a` (all
 * ASCII) or `b`, with `run` a wrapper that evaluates the command. A command asked to be quick that cannot
 * be is sent as any other.
 *
 * After a quick payload the shell reads `quickBlock` characters at a time: the next quick payload is sent
 * as a block (`q`, padded with spaces the loop cuts off by the count; `l`, one that does not fit, with
 * the rest after the block), any other after a block that ends the run.
 */
export function commandPayload(options: CommandScriptOptions): CommandPayload {
  if (!/^[0-9a-f]{16}$/.test(options.execId)) throw new Error(`exec id ${options.execId} is not 16 hex digits`);
  if (options.quick && (options.readsStdin || options.installExitTrap || !restoresNothing(options.restore)))
    throw new Error("a quick command has no restore, no new EXIT trap and no stdin data");
  if (options.quick) {
    const run = runCommand(options, true);
    // As many UTF-8 bytes as UTF-16 code units: every character is ASCII. A quick command that is not is read
    // in the C locale, as any other.
    const ascii = Buffer.byteLength(run) === run.length;
    if (ascii && !(options.acknowledgePieces && run.length > piecesOver))
      return { text: quickPayload(options.execId, run, options.inQuickRun === true), quick: true };
  }
  const pre: string[] = [];
  if (options.restore?.cwd !== undefined) pre.push(enterOrFallBack(options.restore.cwd));
  if (options.restore?.variables) pre.push(options.restore.variables);
  if (options.installExitTrap) pre.push(`builtin trap -- ${quoteShellWord(exitHandler(options.nonce, options.exitTrap))} EXIT`);
  // A shell that was given stdin data leaves the loop after this command: what the command left of the data
  // must never be read as a payload.
  if (options.readsStdin) pre.push("__hermes_last=");
  const run = runCommand(options, false);
  const preText = pre.join("; ");
  const preBytes = Buffer.byteLength(preText);
  const runBytes = Buffer.byteLength(run);
  const kind = preBytes === preText.length && runBytes === run.length ? "a" : "b";
  const text = `\x01${kind}${options.execId}${hexCount(preBytes)}${hexCount(runBytes)}${preText}${run}`;
  return { text: options.inQuickRun ? leaveQuickRun + text : text, quick: false };
}

/** A quick payload: in a run of quick commands, a block (`q`, padded) or a block and the rest (`l`). */
function quickPayload(execId: string, run: string, inQuickRun: boolean): string {
  const kind = inQuickRun && run.length > blockRun ? "l" : "q";
  const text = `\x01${kind}${execId}${hexCount(0)}${hexCount(run.length)}${run}`;
  return inQuickRun && kind === "q" ? text + blockPadding.slice(run.length) : text;
}

/** What fills a block after its command: spaces, which the loop cuts off by the command's length. */
const blockPadding = " ".repeat(blockRun);

function hexCount(bytes: number): string {
  return bytes.toString(16).padStart(8, "0");
}

function runCommand(options: CommandScriptOptions, quick: boolean): string {
  const perCall = options.cwd !== undefined || (options.env !== undefined && Object.keys(options.env).length > 0);
  if (quick && !perCall) return options.command;
  // `$_` starts each command empty (it cannot be the previous command's last argument), not a protocol word.
  const evaluate = `builtin : ''; builtin eval ${quoteShellWord(options.command)}`;
  const steps: string[] = [];
  if (options.cwd !== undefined) steps.push(`builtin cd -- ${quoteShellWord(options.cwd, "cwd")} || builtin exit 1`);
  const exports = exportStatement(options.env ?? {});
  if (exports) steps.push(exports);
  // Unset where the command cannot see it: in the subshell of a per-call cwd/env, which the loop evaluates with
  // the command's descriptors when quick, or else before them.
  if (quick) return `( builtin unset ${loopVariables}; ${steps.join("; ")}; ${evaluate} )`;
  const stdin = options.readsStdin ? "" : "</dev/null ";
  const run = perCall ? `( ${steps.join("; ")}; ${evaluate} ) ${stdin}${commandFds}` : `${evaluate} ${stdin}${commandFds}`;
  return `builtin unset ${loopVariables}; ${options.restore?.cwd !== undefined ? unlessCwdLost(run) : run}`;
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
