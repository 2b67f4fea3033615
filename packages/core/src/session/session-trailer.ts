import { parseExportOutput } from "./export-parser.js";
import type { ShellState } from "./session-script.js";
import { decodeShellWord } from "./shell-word.js";
import { processTagVariable } from "./signal-tagged-program.js";

/** Variables core sets for its own bookkeeping; never part of the session's state. */
export const internalVariables: ReadonlySet<string> = new Set(["HERMES_ENV_ID", "HERMES_EXEC_ID", processTagVariable]);

export interface Trailer {
  exitCode: number | null;
  exiting: boolean;
  pid: number | undefined;
  state: ShellState;
  /** What `trap -p EXIT` printed ("" when the shell is exiting). */
  exitTrap: string;
}

/**
 * `<status> <exiting>\n<pid>\n<cwd as %q>\0<trap -p EXIT>\0<export -p>`. Most commands export what the one
 * before did: when the text is as in `previous` (the same shell's last report), so is the parse.
 */
export function parseTrailer(
  trailer: Buffer,
  previous?: { text: string | undefined; env: ShellState["env"] },
): Trailer & { exportsText: string } {
  const text = trailer.toString("utf8");
  const statusEnd = text.indexOf("\n");
  const pidEnd = text.indexOf("\n", statusEnd + 1);
  const cwdEnd = text.indexOf("\0", pidEnd + 1);
  const trapEnd = text.indexOf("\0", cwdEnd + 1);
  const [status = "", exiting] = text.slice(0, statusEnd).split(" ");
  const exitCode = Number.parseInt(status, 10);
  const pid = Number.parseInt(text.slice(statusEnd + 1, pidEnd), 10);
  const exportsText = text.slice(trapEnd + 1);
  const env = exportsText === previous?.text ? previous.env : withoutInternal(parseExportOutput(exportsText));
  const cwdWord = text.slice(pidEnd + 1, cwdEnd);
  return {
    exitCode: Number.isNaN(exitCode) ? null : exitCode,
    exiting: exiting === "1",
    pid: Number.isNaN(pid) ? undefined : pid,
    state: { cwd: decodeShellWord(cwdWord), cwdWord, env },
    exitTrap: text.slice(cwdEnd + 1, trapEnd),
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
    end: marker("END\n"),
    done: marker("DONE\n"),
  };
}
