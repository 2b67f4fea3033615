import type { Analysis, Stdin } from "./analyze-command.js";
import { runProgram } from "./program-models.js";
import { childState, type ShellState } from "./shell-state.js";
import { splitEnvString } from "./wrappers.js";

/**
 * Runs `text` as a command: a script when `shell` (git and ssh run their commands with `sh -c`), else a
 * program and its arguments split as words. A file name (`./x.sh`) is a script file, opaque.
 */
export function nestedCommand(
  analysis: Analysis,
  text: string | null,
  state: ShellState,
  what: string,
  program = false,
  stdin: Stdin = { kind: "none" },
): void {
  if (text === null) {
    analysis.opaque("dynamic-script", `${what} runs a command only known at run time`);
    return;
  }
  if (program) {
    const argv = splitEnvString(text);
    if (argv?.[0]?.includes("/") && !argv[0].startsWith("/usr/") && !argv[0].startsWith("/bin/")) {
      analysis.opaque("script-file", `${what} runs ${argv[0]}, whose contents are not checked`, {
        paths: [analysis.resolve(argv[0], state)],
      });
      return;
    }
    if (argv) runProgram(analysis, argv, { env: [...state.exported], via: [what.split(" ")[0] as string], stdin }, childState(state));
    return;
  }
  analysis.script(text, childState(state), stdin);
}

/** What a filter program (`rg --pre`, tar's `--to-command`) gets on stdin: data the analysis does not know. */
export const filterInput: Stdin = { kind: "pipe", from: "the data it filters", text: null };
