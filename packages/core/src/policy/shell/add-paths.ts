import type { Analysis } from "./analyze-command.js";
import { hasWildcard } from "./glob-match.js";
import type { Argv } from "./program-model.js";
import type { ShellState } from "./shell-state.js";

export function addPaths(
  analysis: Analysis,
  state: ShellState,
  program: string,
  operation: "write" | "delete" | "chown",
  raws: Argv,
  recursive = false,
) {
  for (const raw of raws) {
    // An empty operand names nothing (the program only complains).
    if (raw === "") continue;
    analysis.path({
      operation,
      path: analysis.resolve(raw, state),
      raw: raw ?? "(unknown)",
      recursive,
      glob: raw !== null && hasWildcard(raw),
      program,
    });
  }
}
