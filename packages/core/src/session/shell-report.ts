import type { CommandScriptOptions } from "./command-payload.js";
import { parseTrailer, type Trailer, type Unchanged } from "./session-trailer.js";
import { exitTrapAction, installedExitTrap, splitTraps } from "./session-traps.js";
import { commandNamesIfStateNeutral } from "./state-neutral-command.js";
import { restoresNothing, type ShellState } from "./state-restore.js";

type ScriptParts = Pick<CommandScriptOptions, "command" | "restore" | "cwd" | "env">;

/**
 * What one session shell last reported of itself, and what its next payload needs because of it: the
 * session's EXIT trap installed again around a user's own, and whether a quick report may do. A command
 * gets one when it only runs programs (see `commandNamesIfStateNeutral`) whose names the last full report
 * showed to be no function or alias, with allexport off and no trap but EXIT that could run code: it then
 * cannot change the traps, names, options or exports, so the next command may be judged by the same report.
 */
export class ShellReport {
  /** What the last full report said (see `parseTrailer`): the shell's pid, options, state and names. */
  private unchanged: Unchanged = {
    pid: undefined,
    options: "",
    state: { cwd: "", cwdWord: "''", env: new Map() },
    exportsText: undefined,
    namesText: undefined,
    names: new Set(),
  };
  /**
   * The shell's clock at its last report: no quick command after it began earlier (see `ProcessSelector.shell`).
   * Empty in a bash without $EPOCHREALTIME, which then gets no quick command (its commands print their own).
   */
  clock = "";
  /** The user's EXIT trap action in this shell (a bash word), run by the session's own EXIT handler. */
  private exitTrap: string | undefined;
  /** What `trap -p` prints of EXIT while the session's trap is installed. */
  private installedTrap: string;
  /** The session's EXIT trap is not (or no longer) installed as `installedTrap` says. */
  private exitTrapChanged = true;
  /** The last full report showed a trap other than EXIT with an action (see `splitTraps`). */
  private otherTraps = true;

  /** The shell's state as it last reported it. */
  get state(): ShellState {
    return this.unchanged.state;
  }

  /** The shell's pid in the target, as it reports it. */
  get pid(): number | undefined {
    return this.unchanged.pid;
  }

  constructor(private readonly nonce: string) {
    this.installedTrap = installedExitTrap(nonce, undefined);
  }

  /** The parts of the next payload that depend on this shell's last report (see `commandPayload`). */
  nextPayload(script: ScriptParts, readsStdin: boolean): { installExitTrap: boolean; exitTrap: string | undefined; quick: boolean } {
    const parts = { installExitTrap: this.exitTrapChanged, exitTrap: this.exitTrap, quick: this.quick(script, readsStdin) };
    this.exitTrapChanged = false;
    return parts;
  }

  /** Reads the trailer a command ended with (see `parseTrailer`), keeping what the next payload needs. */
  read(bytes: Buffer): Trailer {
    const trailer = parseTrailer(bytes, this.unchanged);
    this.unchanged = trailer;
    this.clock = trailer.clock;
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
   * Whether the command's report may leave out what it cannot change. Never with a restore or a new EXIT
   * trap before it, or while a DEBUG, ERR or signal trap could run code of its own.
   */
  private quick(script: ScriptParts, readsStdin: boolean): boolean {
    if (readsStdin || this.exitTrapChanged || this.otherTraps || this.clock === "") return false;
    // Under allexport the protocol's own variables would reach the command's children.
    if (this.unchanged.options.includes("a")) return false;
    if (!restoresNothing(script.restore)) return false;
    // Per-call cwd or env run the command in a subshell, which cannot change this shell.
    if (script.cwd !== undefined || (script.env && Object.keys(script.env).length > 0)) return true;
    const names = commandNamesIfStateNeutral(script.command);
    return names !== undefined && !names.some((name) => this.unchanged.names.has(name));
  }
}
