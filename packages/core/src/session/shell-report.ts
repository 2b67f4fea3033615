import type { CommandScriptOptions } from "./session-script.js";
import { parseTrailer, type Trailer } from "./session-trailer.js";
import { exitTrapAction, installedExitTrap, splitTraps } from "./session-traps.js";
import { commandNamesIfStateNeutral } from "./state-neutral-command.js";
import type { ShellState } from "./state-restore.js";

type ScriptParts = Pick<CommandScriptOptions, "command" | "restore" | "cwd" | "env">;

/**
 * What one session shell last reported of itself, and what its next payload needs because of it: the
 * session's EXIT trap installed again around a user's own, and whether a short report may do.
 */
export class ShellReport {
  /** The shell's state as it last reported it. */
  state: ShellState = { cwd: "", cwdWord: "''", env: new Map() };
  /** The shell's pid in the target, as it reports it. */
  pid: number | undefined;
  /** The shell's last `export -p` as printed (its parse is `state.env`), to skip parsing the same again. */
  private exportsText: string | undefined;
  /** The user's EXIT trap action in this shell (a bash word), run by the session's own EXIT handler. */
  private exitTrap: string | undefined;
  /** What `trap -p` prints of EXIT while the session's trap is installed. */
  private installedTrap: string;
  /** The session's EXIT trap is not (or no longer) installed as `installedTrap` says. */
  private exitTrapChanged = true;
  /** The last full report showed a trap other than EXIT with an action (see `splitTraps`). */
  private otherTraps = true;

  constructor(private readonly nonce: string) {
    this.installedTrap = installedExitTrap(nonce, undefined);
  }

  /** The parts of the next payload that depend on this shell's last report (see `commandPayload`). */
  nextPayload(script: ScriptParts, readsStdin: boolean): Pick<CommandScriptOptions, "installExitTrap" | "exitTrap" | "stateNeutralNames"> {
    const names = this.stateNeutralNames(script, readsStdin);
    const parts = {
      installExitTrap: this.exitTrapChanged,
      ...(this.exitTrap !== undefined && { exitTrap: this.exitTrap }),
      ...(names && { stateNeutralNames: names }),
    };
    this.exitTrapChanged = false;
    return parts;
  }

  /** Reads the trailer a command ended with (see `parseTrailer`), keeping what the next payload needs. */
  read(bytes: Buffer): Trailer {
    const trailer = parseTrailer(bytes, { text: this.exportsText, env: this.state.env });
    this.state = trailer.state;
    this.exportsText = trailer.exportsText;
    this.pid = trailer.pid ?? this.pid;
    if (trailer.exiting || trailer.traps === undefined) return trailer;
    const traps = splitTraps(trailer.traps);
    this.otherTraps = traps.others;
    if (traps.exit !== this.installedTrap) {
      // The command set, or removed, its own EXIT trap: the next line installs the session's around it.
      this.exitTrap = exitTrapAction(traps.exit);
      this.installedTrap = installedExitTrap(this.nonce, this.exitTrap);
      this.exitTrapChanged = true;
    }
    return trailer;
  }

  /**
   * When the command cannot change the exports or traps this shell last reported, the names the shell must
   * check are no function or alias for its report to leave them out. Never with a restore or a new EXIT
   * trap before it, or while a DEBUG, ERR or signal trap could run code of its own.
   */
  private stateNeutralNames(script: ScriptParts, readsStdin: boolean): readonly string[] | undefined {
    if (readsStdin || this.exitTrapChanged || this.otherTraps) return undefined;
    if (script.restore && (script.restore.cwd !== undefined || script.restore.variables !== "")) return undefined;
    // Per-call cwd or env run the command in a subshell, which cannot change this shell.
    if (script.cwd !== undefined || (script.env && Object.keys(script.env).length > 0)) return [];
    return commandNamesIfStateNeutral(script.command);
  }
}
