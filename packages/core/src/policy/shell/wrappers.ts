import type { Argv } from "./program-model.js";

export interface Unwrapped {
  /** The program it runs and that program's arguments (empty: it runs nothing). */
  argv: Argv;
  /** Variables it sets for the program. */
  env: string[];
  /** `env -S`: the first element is one string to split into words. */
  splitFirst?: boolean;
  /** `xargs -a FILE`: arguments come from a file, not stdin. */
  inputFile?: boolean;
  /** `xargs -I STR`: each input line replaces STR in the command (null: a replace string only known at run time). */
  replace?: string | null;
  /** Files the wrapper itself writes (`strace -o FILE`, `time -o FILE`); null for one only known at run time. */
  writes?: Array<string | null>;
  /** The variables it sets, with their values (null: only known at run time). */
  assignments: Array<{ name: string; value: string | null }>;
  /** The directory the program starts in (`env -C`, `sudo -D`); null when the program's paths are not the caller's (chroot). */
  cwd?: string | null;
}

/** Wrapper options whose value is the directory the program starts in. */
const directoryOptions: Record<string, string[]> = {
  env: ["-C", "--chdir"],
  sudo: ["-D", "--chdir"],
  nsenter: ["-w", "--wd"],
  unshare: ["-w", "--wd"],
  "systemd-run": ["--working-directory"],
};

/** Wrapper options whose value is a file the wrapper writes. */
const outputOptions: Record<string, string[]> = {
  strace: ["-o"],
  ltrace: ["-o"],
  time: ["-o", "--output"],
  "xvfb-run": ["-e", "--error-file", "-f", "--auth-file"],
};

/** Per wrapper: its options that take a value; the program starts at its first operand. */
const wrappers: Record<string, { values: string[]; skipOperands?: number }> = {
  sudo: {
    values: [
      "-u",
      "-g",
      "-C",
      "-D",
      "-h",
      "-p",
      "-r",
      "-t",
      "-U",
      "-T",
      "--user",
      "--group",
      "--chdir",
      "--prompt",
      "--role",
      "--type",
      "--other-user",
      "--command-timeout",
      "--close-from",
      "--host",
    ],
  },
  doas: { values: ["-u", "-C"] },
  pkexec: { values: ["--user"] },
  nice: { values: ["-n", "--adjustment"] },
  ionice: { values: ["-c", "-n", "--class", "--classdata"] },
  timeout: { values: ["-s", "-k", "--signal", "--kill-after"], skipOperands: 1 },
  nohup: { values: [] },
  stdbuf: { values: ["-i", "-o", "-e", "--input", "--output", "--error"] },
  setsid: { values: [] },
  time: { values: ["-o", "-f", "--output", "--format"] },
  chrt: { values: [], skipOperands: 1 },
  taskset: { values: [], skipOperands: 1 },
  unbuffer: { values: [] },
  builtin: { values: [] },
  command: { values: [] },
  busybox: { values: [] },
  toybox: { values: [] },
  env: { values: ["-u", "-C", "-S", "--unset", "--chdir", "--split-string"] },
  xargs: {
    values: [
      "-d",
      "-E",
      "-I",
      "-L",
      "-n",
      "-P",
      "-s",
      "-a",
      "--delimiter",
      "--eof",
      "--max-lines",
      "--max-args",
      "--max-procs",
      "--max-chars",
      "--arg-file",
      "--replace",
    ],
  },
  flock: { values: ["-w", "-E", "--timeout", "--conflict-exit-code"], skipOperands: 1 },
  watch: { values: ["-n", "--interval", "-d"] },
  chroot: { values: ["--userspec", "--groups"], skipOperands: 1 },
  unshare: { values: ["--map-user", "--map-group", "--setuid", "--setgid", "-S", "-G", "-R", "-w", "--root", "--wd"] },
  nsenter: { values: ["-t", "--target", "-S", "-G", "--setuid", "--setgid", "-r", "-w", "--root", "--wd"] },
  firejail: { values: [] },
  strace: { values: ["-o", "-e", "-p", "-s", "-u", "-E", "-O", "-P", "-a", "-b", "-X"] },
  ltrace: { values: ["-o", "-e", "-p", "-s", "-u", "-n", "-a"] },
  valgrind: { values: [] },
  fakeroot: { values: ["-l", "--lib", "--faked", "-s", "-i"] },
  eatmydata: { values: [] },
  proxychains: { values: ["-f"] },
  proxychains4: { values: ["-f"] },
  torsocks: { values: ["-u", "-p", "-a", "-P"] },
  "systemd-run": {
    values: [
      "-p",
      "--property",
      "-u",
      "--unit",
      "-E",
      "--setenv",
      "--uid",
      "--gid",
      "-M",
      "--machine",
      "--slice",
      "--description",
      "--working-directory",
    ],
  },
  "xvfb-run": { values: ["-n", "-s", "-e", "-f", "-p", "--server-num", "--server-args", "--error-file", "--auth-file"] },
  caffeinate: { values: ["-t", "-w"] },
};

/**
 * The program a wrapper runs, with its arguments: `sudo -u root rm` runs `rm`, `nice -n 19 timeout 5 rm`
 * runs `timeout 5 rm`, then `rm`. Undefined when `program` is not a wrapper.
 */
export function unwrap(program: string, args: Argv): Unwrapped | undefined {
  const spec = wrappers[program];
  if (!spec) return undefined;
  const env: string[] = [];
  const assignments: Unwrapped["assignments"] = [];
  let index = 0;
  let splitFirst = false;
  let inputFile = false;
  let replace: string | null | undefined;
  let noExec = false;
  let cwd: string | null | undefined = program === "chroot" ? null : undefined;
  const writes: Array<string | null> = [];
  const setVariable = (arg: string) => {
    const name = arg.slice(0, arg.indexOf("="));
    env.push(name);
    assignments.push({ name, value: arg.slice(arg.indexOf("=") + 1) });
  };
  for (; index < args.length; index++) {
    const arg = args[index];
    if (arg === null || arg === undefined) break;
    if (arg === "--") {
      index++;
      break;
    }
    // env takes any NAME=VALUE (even `BASH_FUNC_x%%=...`); sudo a variable name.
    if ((program === "env" && /^[^=-][^=]*=/.test(arg)) || (program === "sudo" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg))) {
      setVariable(arg);
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    // `nice -19`, `nice -n5`
    if (program === "nice" && /^-\d+$/.test(arg)) continue;
    if (program === "env" && /^-[iv0]*[CSu]./.test(arg) && !arg.startsWith("--")) {
      // A bundle ending in an option with its value attached: `env -iC/`, `env -iS'rm -rf /'`.
      const at = arg.search(/[CSu]/);
      const letter = arg[at] as string;
      const value = arg.slice(at + 1);
      if (letter === "S")
        return { argv: [value, ...args.slice(index + 1)], env, assignments, splitFirst: true, ...(cwd !== undefined && { cwd }) };
      if (letter === "C") cwd = value;
      continue;
    }
    const bundleLast = !arg.startsWith("--") && arg.length > 2 ? `-${arg.at(-1)}` : undefined;
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg.startsWith("--") ? arg : arg.slice(0, 2);
    if ((program === "command" && (arg === "-v" || arg === "-V")) || (program === "flock" && (arg === "-c" || arg === "--command")))
      noExec = true;
    if (program === "env" && (name === "-S" || name === "--split-string" || bundleLast === "-S")) {
      splitFirst = true;
      const inline = arg.includes("=")
        ? arg.slice(arg.indexOf("=") + 1)
        : arg.length > 2 && !arg.startsWith("--") && bundleLast !== "-S"
          ? arg.slice(2)
          : undefined;
      if (inline !== undefined)
        return { argv: [inline, ...args.slice(index + 1)], env, assignments, splitFirst, ...(cwd !== undefined && { cwd }) };
      return { argv: args.slice(index + 1), env, assignments, splitFirst, ...(cwd !== undefined && { cwd }) };
    }
    if (program === "xargs" && (name === "-a" || name === "--arg-file")) inputFile = true;
    if (program === "xargs" && (name === "-I" || name === "--replace" || name === "-i")) {
      const inline = arg.includes("=")
        ? arg.slice(arg.indexOf("=") + 1)
        : arg.length > 2 && !arg.startsWith("--")
          ? arg.slice(2)
          : undefined;
      replace = inline ?? (name === "-I" ? (args[index + 1] ?? null) : "{}");
    }
    // The option's value: after `=`, in the next word, or the rest of a short option (`-uroot`); a bundle
    // ending in an option that takes one (`sudo -Eu root`) takes the next word.
    const takes = spec.values.includes(name) ? name : bundleLast !== undefined && spec.values.includes(bundleLast) ? bundleLast : undefined;
    const separate = takes !== undefined && !arg.includes("=") && (arg.startsWith("--") || arg.length === 2 || takes === bundleLast);
    const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : separate ? (args[index + 1] ?? null) : arg.slice(2);
    if (takes !== undefined && outputOptions[program]?.includes(takes)) writes.push(value);
    if (takes !== undefined && directoryOptions[program]?.includes(takes)) cwd = value;
    if (separate) index++;
  }
  if (noExec) return { argv: [], env, assignments, ...(writes.length > 0 && { writes }) };
  index += spec.skipOperands ?? 0;
  let argv = args.slice(index);
  if (program === "watch") argv = argv.some((word) => word === null) ? ["sh", "-c", null] : ["sh", "-c", argv.join(" ")];
  if (program === "xargs" && argv.length === 0) argv = ["echo"];
  return {
    argv,
    env,
    assignments,
    ...(inputFile ? { inputFile } : {}),
    ...(replace !== undefined && { replace }),
    ...(writes.length > 0 && { writes }),
    ...(cwd !== undefined && { cwd }),
  };
}

/** `env -S 'rm -rf /'`: the string split into words (quotes honoured, as env does). */
export function splitEnvString(text: string | null): string[] | null {
  if (text === null) return null;
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let inWord = false;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
