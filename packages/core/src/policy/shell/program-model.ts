import type { Analysis, Stdin } from "./analyze-command.js";
import type { ShellState } from "./shell-state.js";

/** A program's arguments after expansion: null where a value is only known at run time. */
export type Argv = Array<string | null>;

/** How one program, by name, affects paths or runs commands, from its arguments (and its stdin, for some). */
export type ProgramModel = (analysis: Analysis, args: Argv, state: ShellState, program: string, stdin: Stdin) => void;
