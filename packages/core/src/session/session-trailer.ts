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
  state: ShellState;
  /**
   * What `trap -p` printed ("" when the shell is exiting), or undefined for a quick report, which leaves out
   * the traps and exports of a command that could not change them (the state keeps `previous`'s).
   */
  traps: string | undefined;
}

/**
 * `<status> <exiting or q> <pid> <cwd as %q>\0`, then, unless quick, `<trap -p>\0<export -p>`. Most
 * commands export what the one before did: when the text is as in `previous` (the same shell's last
 * report), so is the parse.
 */
export function parseTrailer(
  trailer: Buffer,
  previous: { text: string | undefined; env: ShellState["env"] },
): Trailer & { exportsText: string | undefined } {
  const text = trailer.toString("utf8");
  const cwdEnd = text.indexOf("\0");
  // `printf %q` escapes every space in the cwd: the first three spaces end the other fields.
  const [status = "", flag, pidText = "", ...cwd] = text.slice(0, cwdEnd).split(" ");
  const exitCode = Number.parseInt(status, 10);
  const pid = Number.parseInt(pidText, 10);
  const cwdWord = cwd.join(" ");
  const quick = flag === "q";
  const trapEnd = quick ? -1 : text.indexOf("\0", cwdEnd + 1);
  const exportsText = quick ? previous.text : text.slice(trapEnd + 1);
  const env = exportsText === previous.text ? previous.env : withoutInternal(parseExportOutput(exportsText ?? ""));
  return {
    exitCode: Number.isNaN(exitCode) ? null : exitCode,
    exiting: flag === "1",
    pid: Number.isNaN(pid) ? undefined : pid,
    state: { cwd: decodeShellWord(cwdWord), cwdWord, env },
    traps: quick ? undefined : text.slice(cwdEnd + 1, trapEnd),
    exportsText,
  };
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
    stderrBegin: marker("BEGIN\n"),
    /** With acknowledged pieces: what precedes the uptime, after the BEGIN line and its acknowledgements. */
    uptime: marker("UPTIME "),
    /** Before the status record on stdout. */
    stdoutEnd: marker("END "),
    stderrEnd: marker("END\n"),
    done: marker("DONE\n"),
  };
}
