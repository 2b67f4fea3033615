import { exportStatement, quoteShellWord } from "./shell-quote.js";

/** What a shell needs to do to reach the session's state before a command (see `stateRestore`). */
export interface StateRestore {
  /** `cd` to this directory (a bash word) first. */
  cwd?: string;
  /** `export`/`unset` statements, or "". */
  variables: string;
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
  if (from.env === to.env && from.cwdWord === to.cwdWord) return { variables: "" };
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

/** The restore has nothing to do (the shell is in the session's state already). */
export function restoresNothing(restore: StateRestore | undefined): boolean {
  return restore === undefined || (restore.cwd === undefined && restore.variables === "");
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
