import { parseExportOutput } from "./export-parser.js";
import { decodeShellWord } from "./shell-word.js";
import { processTagVariable } from "./signal-tagged-program.js";
import type { ShellState } from "./state-restore.js";

/** Variables core sets for its own bookkeeping; never part of the session's state. */
export const internalVariables: ReadonlySet<string> = new Set(["HERMES_ENV_ID", "HERMES_EXEC_ID", processTagVariable]);

export interface Trailer {
  exitCode: number | null;
  exiting: boolean;
  pid: number | undefined;
  /** The shell's option letters (`$-`) when the command ended. */
  options: string;
  state: ShellState;
  /** The shell's clock when it reported (`e` and $EPOCHREALTIME), or "" in a bash without it. */
  clock: string;
  /**
   * What `trap -p` printed ("" when the shell is exiting), or undefined for a quick report, which leaves out
   * what a command that can only run programs could not change (the previous report's stand).
   */
  traps: string | undefined;
}

/** What a shell's last full report said that a quick report leaves as it was. */
export interface Unchanged {
  pid: number | undefined;
  options: string;
  state: ShellState;
  /** `export -p` as printed (its parse is `state.env`). */
  exportsText: string | undefined;
  /** `declare -F` and `alias -p` as printed, and the names they define. */
  namesText: string | undefined;
  names: ReadonlySet<string>;
}

/**
 * `<status> q <clock>\0` for a quick report; else `<status> <exiting> <pid> <$-> <clock> <cwd as %q>\0<trap
 * -p>\0<declare -F><alias -p>\0<export -p>`. Most commands leave the exports and names as the one before did:
 * when a text is as in `previous` (the same shell's last full report), so is its parse.
 */
export function parseTrailer(trailer: Buffer, previous: Unchanged): Trailer & Unchanged {
  const text = trailer.toString("utf8");
  const cwdEnd = text.indexOf("\0");
  // `printf %q` escapes every space in the cwd: the first five spaces end the other fields.
  const [status = "", flag, ...rest] = text.slice(0, cwdEnd).split(" ");
  const exitCode = Number.parseInt(status, 10);
  // No object here begins with a spread: V8 then copies and reshapes it, microseconds per command.
  const code = Number.isNaN(exitCode) ? null : exitCode;
  const exiting = flag === "1";
  if (flag === "q") {
    const { pid, options, state, exportsText, namesText, names } = previous;
    return { exitCode: code, exiting, pid, options, state, clock: rest[0] ?? "", traps: undefined, exportsText, namesText, names };
  }
  const [pidText = "", options = "", clock = "", ...cwd] = rest;
  const pid = Number.parseInt(pidText, 10);
  const cwdWord = cwd.join(" ");
  const trapEnd = text.indexOf("\0", cwdEnd + 1);
  const namesEnd = text.indexOf("\0", trapEnd + 1);
  const exportsText = text.slice(namesEnd + 1);
  const env = exportsText === previous.exportsText ? previous.state.env : withoutInternal(parseExportOutput(exportsText));
  const namesText = text.slice(trapEnd + 1, namesEnd);
  return {
    exitCode: code,
    exiting,
    pid: Number.isNaN(pid) ? previous.pid : pid,
    options,
    clock,
    state: { cwd: decodeShellWord(cwdWord), cwdWord, env },
    traps: text.slice(cwdEnd + 1, trapEnd),
    exportsText,
    namesText,
    names: namesText === previous.namesText ? previous.names : definedNames(namesText),
  };
}

/**
 * The function and alias names in what `declare -F` and `alias -p` printed: `declare -f NAME` lines (no
 * name holds a newline), then `alias NAME='value'`, whose value may. A value's line that looks like one
 * only adds a name, which is safe: a name taken for a function or alias never gets a quick report.
 */
export function definedNames(printed: string): Set<string> {
  const names = new Set<string>();
  for (const line of printed.split("\n")) {
    const fn = /^declare -[a-z]*f[a-z]* (.+)$/.exec(line);
    if (fn) names.add(fn[1] as string);
    else if (line.startsWith("alias ")) names.add(line.slice(6, line.indexOf("=") === -1 ? undefined : line.indexOf("=")));
  }
  return names;
}

function withoutInternal(env: Map<string, string | null>): Map<string, string | null> {
  for (const name of internalVariables) env.delete(name);
  return env;
}

/** The markers of a shell with this nonce (see session-script.ts). */
export function markersFor(nonce: string) {
  const marker = (text: string) => Buffer.from(`\x1e__HERMES_${nonce}_${text}`);
  return {
    stdoutBegin: marker("BEGIN "),
    /** With acknowledged pieces: what precedes the uptime, after the BEGIN line and its acknowledgements. */
    uptime: marker("UPTIME "),
    /** Before the status record on stdout. */
    stdoutEnd: marker("END "),
    stderrEnd: marker("END\n"),
    done: marker("DONE\n"),
  };
}
