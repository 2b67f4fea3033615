import type { Analysis } from "./analyze-command.js";
import { options } from "./option-parser.js";
import type { Argv } from "./program-model.js";
import { remoteScript } from "./remote-programs.js";
import { childState, type ShellState } from "./shell-state.js";

/** A remote rsync operand: `host:path`, `user@host:path`, `rsync://...` (a `:` before any `/`). */
const remoteOperand = /^(rsync:\/\/|[^/]*:)/;

/**
 * rsync SRC... DST: DST is written; `--delete*` removes what is not in SRC from all of DST, and
 * `--remove-source-files` removes the sources; `-e`/`--rsh` runs a command to connect. Remote operands
 * change another host's paths.
 */
export function runRsync(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, {
    values: [
      "-e",
      "--rsh",
      "--rsync-path",
      "--exclude",
      "--include",
      "--filter",
      "-f",
      "--exclude-from",
      "--include-from",
      "--files-from",
      "--password-file",
      "--log-file",
      "--partial-dir",
      "--temp-dir",
      "-T",
      "--backup-dir",
      "--suffix",
      "--chmod",
      "--chown",
      "--usermap",
      "--groupmap",
      "--bwlimit",
      "--timeout",
      "--port",
      "--compare-dest",
      "--copy-dest",
      "--link-dest",
      "-B",
      "--block-size",
      "--max-size",
      "--min-size",
      "--max-delete",
      "--out-format",
      "--info",
      "--debug",
      "-M",
      "--remote-option",
    ],
  });
  const rsh = parsed.values.get("-e") ?? parsed.values.get("--rsh");
  if (rsh !== undefined) {
    if (rsh === null) analysis.opaque("dynamic-script", "rsync -e runs a command only known at run time", { program });
    else analysis.script(rsh, childState(state));
  }
  // `--rsync-path` is the command the remote host runs in place of rsync.
  const remoteCommand = parsed.values.get("--rsync-path");
  if (remoteCommand === null) analysis.opaque("dynamic-script", "rsync --rsync-path only known at run time", { program });
  else if (remoteCommand !== undefined) remoteScript(analysis, remoteCommand, state);
  const operands = parsed.operands;
  const destination = operands.length > 1 ? (operands.at(-1) ?? null) : null;
  const sources = operands.slice(0, -1);
  const deletes = [...parsed.flags].some((flag) => flag.startsWith("--del"));
  const place = (operand: string | null) =>
    operand !== null && remoteOperand.test(operand)
      ? { path: null as string | null, remote: true, raw: operand }
      : { path: analysis.resolve(operand, state), remote: false, raw: operand ?? "(unknown)" };
  if (operands.length > 1) {
    const target = place(destination);
    analysis.path({
      operation: deletes ? "delete" : "write",
      ...target,
      recursive: deletes,
      program,
      ...(target.remote && { remote: true }),
    });
  }
  if (parsed.flags.has("--remove-source-files")) {
    for (const source of sources) {
      const from = place(source);
      analysis.path({ operation: "delete", ...from, recursive: true, program, ...(from.remote && { remote: true }) });
    }
  }
}
