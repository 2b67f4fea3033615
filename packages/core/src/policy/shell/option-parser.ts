import type { Argv } from "./program-model.js";

export interface OptionSpec {
  /** Options that take a value: `-t`, `--target-directory`. */
  values?: readonly string[];
  /** The program's long options, for GNU abbreviations (`--recu` is `--recursive` when no other starts so). */
  long?: readonly string[];
  /** Short options that mean a long one (`-r` is `--recursive`): both names are then set. */
  aliases?: Readonly<Record<string, string>>;
  /** Options stop at the first operand (as `find` and POSIX `getopt` do); by default they may follow operands. */
  stopAtOperand?: boolean;
}

export interface ParsedOptions {
  /** Every option given, by its full name (and by its alias's). */
  flags: Set<string>;
  operands: Argv;
  /** Values of options that take one (null: only known at run time, or missing). */
  values: Map<string, string | null>;
  /** Every value given to an option, in order (`-e a -e b`). */
  all: Map<string, Array<string | null>>;
}

/**
 * Parses arguments as GNU getopt_long does: bundled short options (`-rf`), a value attached (`-oFILE`,
 * `--file=F`) or in the next word, a bundle ending in an option that takes a value (`-Eu root`), long options
 * abbreviated to a unique prefix, options among operands, and `--` ending them. An unknown value is null.
 */
export function options(args: Argv, spec: OptionSpec | ReadonlySet<string> = {}): ParsedOptions {
  const resolved: OptionSpec = spec instanceof Set ? { values: [...spec] } : (spec as OptionSpec);
  const takes = new Set(resolved.values ?? []);
  const longNames = [...new Set([...(resolved.long ?? []), ...[...takes].filter((name) => name.startsWith("--"))])];
  const flags = new Set<string>();
  const operands: Argv = [];
  const values = new Map<string, string | null>();
  const all = new Map<string, Array<string | null>>();
  const set = (name: string, value?: string | null) => {
    for (const each of [name, resolved.aliases?.[name]].filter((item): item is string => item !== undefined)) {
      flags.add(each);
      if (value !== undefined) {
        values.set(each, value);
        all.set(each, [...(all.get(each) ?? []), value]);
      }
    }
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string | null;
    if (arg === null) {
      operands.push(null);
      if (resolved.stopAtOperand) {
        operands.push(...args.slice(index + 1));
        break;
      }
      continue;
    }
    if (arg === "--") {
      operands.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const written = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
      const name = longNames.includes(written) ? written : (uniquePrefix(written, longNames) ?? written);
      if (arg.includes("=")) set(name, arg.slice(arg.indexOf("=") + 1));
      else if (takes.has(name)) set(name, args[++index] ?? null);
      else set(name);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let letter = 1; letter < arg.length; letter++) {
        const flag = `-${arg[letter]}`;
        if (takes.has(flag)) {
          set(flag, letter + 1 < arg.length ? arg.slice(letter + 1) : (args[++index] ?? null));
          break;
        }
        set(flag);
      }
      continue;
    }
    operands.push(arg);
    if (resolved.stopAtOperand) {
      operands.push(...args.slice(index + 1));
      break;
    }
  }
  return { flags, operands, values, all };
}

/** The one long option `written` abbreviates, if exactly one starts with it. */
function uniquePrefix(written: string, names: readonly string[]): string | undefined {
  const matches = names.filter((name) => name.startsWith(written));
  return matches.length === 1 ? matches[0] : undefined;
}
