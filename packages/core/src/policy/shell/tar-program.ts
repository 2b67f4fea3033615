import { addPaths } from "./add-paths.js";
import type { Analysis } from "./analyze-command.js";
import { filterInput } from "./nested-command.js";
import { options } from "./option-parser.js";
import type { Argv } from "./program-model.js";
import { childState, type ShellState } from "./shell-state.js";

/**
 * tar: `--to-command`, `-I`/`--use-compress-program`, `--checkpoint-action=exec=`, `--info-script`/`-F`
 * run commands; `-c` writes the archive; `-x` extracts members whose paths only the archive knows.
 */
export function runTar(analysis: Analysis, rawArgs: Argv, state: ShellState, program: string): void {
  // Old-style `tar czf FILE`: the first word is a bundle of options without the dash.
  const args = rawArgs[0] && /^[A-Za-z]+$/.test(rawArgs[0]) ? [`-${rawArgs[0]}`, ...rawArgs.slice(1)] : rawArgs;
  const parsed = options(args, {
    values: [
      "-f",
      "--file",
      "-C",
      "--directory",
      "-I",
      "--use-compress-program",
      "--to-command",
      "--checkpoint-action",
      "-F",
      "--info-script",
      "--new-volume-script",
      "-T",
      "--files-from",
      "-X",
      "--exclude-from",
      "--exclude",
      "--transform",
      "--xform",
      "-b",
      "--blocking-factor",
      "--owner",
      "--group",
      "--mode",
      "--mtime",
      "-N",
      "--newer",
      "--after-date",
      "--checkpoint",
      "-L",
      "--tape-length",
      "-V",
      "--label",
      "-H",
      "--format",
      "--rsh-command",
    ],
    long: [
      "--extract",
      "--get",
      "--create",
      "--append",
      "--update",
      "--list",
      "--gzip",
      "--bzip2",
      "--xz",
      "--zstd",
      "--verbose",
      "--keep-old-files",
      "--overwrite",
      "--absolute-names",
    ],
    aliases: { "-x": "--extract", "-c": "--create", "-r": "--append", "-u": "--update", "-t": "--list" },
  });
  for (const flag of ["-I", "--use-compress-program", "--to-command", "-F", "--info-script", "--new-volume-script", "--rsh-command"]) {
    for (const value of parsed.all.get(flag) ?? []) {
      if (value === null) analysis.opaque("dynamic-script", `tar ${flag} runs a command only known at run time`, { program });
      else analysis.script(value, childState(state), filterInput);
    }
  }
  for (const action of parsed.all.get("--checkpoint-action") ?? []) {
    if (action === null) analysis.opaque("dynamic-script", "tar --checkpoint-action only known at run time", { program });
    else if (action.startsWith("exec=")) analysis.script(action.slice(5), childState(state));
  }
  if (parsed.flags.has("--extract") || parsed.flags.has("--get")) {
    analysis.opaque("archive", "tar extracts members whose paths are only known from the archive", { program });
    return;
  }
  const file = parsed.values.get("-f") ?? parsed.values.get("--file");
  if (
    (parsed.flags.has("--create") || parsed.flags.has("--append") || parsed.flags.has("--update")) &&
    file !== undefined &&
    file !== "-"
  ) {
    addPaths(analysis, state, program, "write", [file]);
  }
}
