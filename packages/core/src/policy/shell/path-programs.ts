import { posix } from "node:path";
import { addPaths } from "./add-paths.js";
import type { Analysis } from "./analyze-command.js";
import { downloadModels } from "./download-programs.js";
import { runFind } from "./find-program.js";
import { type OptionSpec, options } from "./option-parser.js";
import type { Argv, ProgramModel } from "./program-model.js";
import { runRsync } from "./rsync-program.js";
import type { ShellState } from "./shell-state.js";
import { runTar } from "./tar-program.js";

/** GNU coreutils' options, for abbreviations (`--recu`) and values. */
const specs: Record<string, OptionSpec> = {
  rm: {
    long: ["--force", "--interactive", "--one-file-system", "--no-preserve-root", "--preserve-root", "--recursive", "--dir", "--verbose"],
    aliases: { "-r": "--recursive", "-R": "--recursive" },
  },
  chown: {
    values: ["--from", "--reference"],
    long: [
      "--changes",
      "--dereference",
      "--no-dereference",
      "--no-preserve-root",
      "--preserve-root",
      "--quiet",
      "--silent",
      "--recursive",
      "--verbose",
    ],
    aliases: { "-R": "--recursive" },
  },
  chmod: {
    values: ["--reference"],
    long: ["--changes", "--no-preserve-root", "--preserve-root", "--quiet", "--silent", "--recursive", "--verbose"],
    aliases: { "-R": "--recursive" },
  },
  copy: {
    values: [
      "-t",
      "-S",
      "-m",
      "-o",
      "-g",
      "--target-directory",
      "--suffix",
      "--mode",
      "--owner",
      "--group",
      "--backup",
      "--reflink",
      "--sparse",
      "--preserve",
      "--no-preserve",
    ],
    long: [
      "--archive",
      "--link",
      "--symbolic-link",
      "--recursive",
      "--force",
      "--no-target-directory",
      "--parents",
      "--dereference",
      "--no-dereference",
      "--update",
      "--verbose",
      "--one-file-system",
      "--remove-destination",
      "--strip-trailing-slashes",
      "--attributes-only",
      "--copy-contents",
      "--interactive",
      "--no-clobber",
    ],
    aliases: { "-l": "--link", "-s": "--symbolic-link", "-t": "--target-directory" },
  },
  ln: {
    values: ["-t", "-S", "--target-directory", "--suffix", "--backup"],
    long: [
      "--symbolic",
      "--force",
      "--interactive",
      "--logical",
      "--physical",
      "--relative",
      "--no-dereference",
      "--no-target-directory",
      "--verbose",
      "--directory",
    ],
    aliases: { "-s": "--symbolic", "-t": "--target-directory" },
  },
  mv: {
    values: ["-t", "-S", "--target-directory", "--suffix", "--backup"],
    long: ["--force", "--interactive", "--no-clobber", "--strip-trailing-slashes", "--no-target-directory", "--update", "--verbose"],
    aliases: { "-t": "--target-directory" },
  },
};

/** Programs whose effects on paths are modelled, by name. */
export const models: Record<string, ProgramModel> = {
  rm: (analysis, args, state, program) => {
    const parsed = options(args, specs.rm);
    addPaths(analysis, state, program, "delete", parsed.operands, parsed.flags.has("--recursive"));
  },
  rmdir: (analysis, args, state, program) => addPaths(analysis, state, program, "delete", options(args).operands),
  unlink: (analysis, args, state, program) => addPaths(analysis, state, program, "delete", options(args).operands),
  shred: (analysis, args, state, program) =>
    addPaths(
      analysis,
      state,
      program,
      "delete",
      options(args, { values: ["-n", "-s", "--iterations", "--size", "--random-source"] }).operands,
    ),
  chown: ownership,
  chgrp: ownership,
  chmod: (analysis, args, state, program) => {
    const parsed = options(args, specs.chmod);
    // The mode is the first operand (`755`, `u+x`), unless it came as an option (`-x`) or from --reference.
    const first = parsed.operands[0];
    const files =
      first !== undefined && first !== null && /^([0-7]{3,4}|[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*)$/.test(first)
        ? parsed.operands.slice(1)
        : parsed.operands;
    addPaths(analysis, state, program, "write", files, parsed.flags.has("--recursive"));
  },
  touch: (analysis, args, state, program) =>
    addPaths(analysis, state, program, "write", options(args, { values: ["-d", "-t", "-r", "--date", "--reference"] }).operands),
  mkdir: (analysis, args, state, program) =>
    addPaths(analysis, state, program, "write", options(args, { values: ["-m", "--mode"] }).operands),
  tee: (analysis, args, state, program) => addPaths(analysis, state, program, "write", options(args).operands),
  truncate: (analysis, args, state, program) =>
    addPaths(analysis, state, program, "write", options(args, { values: ["-s", "-r", "--size", "--reference"] }).operands),
  sort: (analysis, args, state, program) => {
    const parsed = options(args, {
      values: [
        "-o",
        "--output",
        "-k",
        "--key",
        "-t",
        "--field-separator",
        "-S",
        "--buffer-size",
        "-T",
        "--temporary-directory",
        "--parallel",
        "--files0-from",
        "--compress-program",
        "--batch-size",
      ],
    });
    addPaths(analysis, state, program, "write", [...(parsed.all.get("-o") ?? []), ...(parsed.all.get("--output") ?? [])]);
    if (parsed.values.has("--compress-program")) analysis.opaque("dynamic-script", "sort --compress-program runs a program", { program });
  },
  uniq: (analysis, args, state, program) => {
    const output = options(args, {
      values: ["-f", "-s", "-w", "--skip-fields", "--skip-chars", "--check-chars", "--group", "--all-repeated"],
    }).operands[1];
    if (output !== undefined) addPaths(analysis, state, program, "write", [output]);
  },
  split: (analysis, args, state, program) => {
    const operands = options(args, {
      values: ["-a", "-b", "-C", "-l", "-n", "-t", "--additional-suffix", "--filter", "--bytes", "--lines", "--line-bytes", "--number"],
    }).operands;
    addPaths(analysis, state, program, "write", [operands[1] ?? "x"]);
  },
  cp: copyLike,
  install: copyLike,
  mv: (analysis, args, state, program) => {
    const parsed = options(args, specs.mv);
    const target = parsed.values.get("--target-directory");
    const sources = target !== undefined ? parsed.operands : parsed.operands.slice(0, -1);
    // Moving a directory away removes its whole tree from where it was.
    addPaths(analysis, state, program, "delete", sources, true);
    addPaths(analysis, state, program, "write", [target !== undefined ? target : (parsed.operands.at(-1) ?? null)]);
  },
  ln: (analysis, args, state, program) => {
    const parsed = options(args, specs.ln);
    const symbolic = parsed.flags.has("--symbolic");
    const directory = parsed.values.get("--target-directory");
    // `ln [-s] TARGET LINK`, `ln [-s] TARGET` (a link of the same name here), `ln [-s] -t DIR TARGET...`.
    const pairs: Array<[string | null, string | null]> =
      directory !== undefined
        ? parsed.operands.map((target) => [
            target,
            directory === null || target === null ? null : posix.join(directory, posix.basename(target)),
          ])
        : parsed.operands.length === 1
          ? [[parsed.operands[0] ?? null, posix.basename(parsed.operands[0] ?? ".")]]
          : [[parsed.operands[0] ?? null, parsed.operands[1] ?? null]];
    for (const [target, link] of pairs) addLink(analysis, state, program, symbolic, target, link);
  },
  dd: (analysis, args, state, program) => {
    for (const arg of args) {
      if (arg === null) analysis.path({ operation: "write", path: null, raw: "(unknown)", program });
      else if (arg.startsWith("of="))
        analysis.path({ operation: "write", path: analysis.resolve(arg.slice(3), state), raw: arg.slice(3), program });
    }
  },
  find: runFind,
  rsync: runRsync,
  tar: runTar,
  // Judged by the floors (shell-rules.ts) from their arguments; they change no path.
  kill: () => {},
  pkill: () => {},
  killall: () => {},
  killall5: () => {},
  init: () => {},
  telinit: () => {},
  systemctl: () => {},
  loginctl: () => {},
  unzip: (analysis, _args, _state, program) =>
    analysis.opaque("archive", "unzip extracts members whose paths are only known from the archive", { program }),
  ...downloadModels,
};

function ownership(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, specs.chown);
  // chown OWNER FILE...; with --reference=FILE there is no owner operand.
  const files = parsed.values.has("--reference") ? parsed.operands : parsed.operands.slice(1);
  addPaths(analysis, state, program, "chown", files, parsed.flags.has("--recursive"));
}

/** cp and install: the destination is written; `-s`/`-l` make links to the sources there instead of copies. */
function copyLike(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, specs.copy);
  const directory = parsed.values.get("--target-directory");
  const sources = directory !== undefined ? parsed.operands : parsed.operands.slice(0, -1);
  const destination = directory !== undefined ? directory : (parsed.operands.at(-1) ?? null);
  const links = parsed.flags.has("--symbolic-link") ? "symbolic" : parsed.flags.has("--link") ? "hard" : undefined;
  if (links === undefined) {
    addPaths(analysis, state, program, "write", [destination]);
    return;
  }
  for (const source of sources) {
    const link =
      destination === null || source === null
        ? null
        : sources.length > 1 || directory !== undefined
          ? posix.join(destination, posix.basename(source))
          : destination;
    addLink(analysis, state, program, links === "symbolic", source, link);
  }
}

function addLink(
  analysis: Analysis,
  state: ShellState,
  program: string,
  symbolic: boolean,
  target: string | null,
  link: string | null,
): void {
  const linkPath = analysis.resolve(link, state);
  const targetPath =
    target === null
      ? null
      : symbolic && !target.startsWith("/") && linkPath
        ? posix.normalize(posix.join(posix.dirname(linkPath), target))
        : analysis.resolve(target, state);
  analysis.path({ operation: symbolic ? "symlink" : "hardlink", path: linkPath, raw: link ?? "(unknown)", target: targetPath, program });
}
