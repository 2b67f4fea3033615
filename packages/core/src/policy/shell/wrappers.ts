type Argv = Array<string | null>;

export interface Unwrapped {
  /** The program it runs and that program's arguments (empty: it runs nothing). */
  argv: Argv;
  /** Variables it sets for the program. */
  env: string[];
  /** `env -S`: the first element is one string to split into words. */
  splitFirst?: boolean;
  /** `xargs -a FILE`: arguments come from a file, not stdin. */
  inputFile?: boolean;
  /** Files the wrapper itself writes (`strace -o FILE`, `time -o FILE`); null for one only known at run time. */
  writes?: Array<string | null>;
}

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
    values: ["-p", "--property", "-u", "--unit", "-E", "--setenv", "--uid", "--gid", "-M", "--machine", "--slice", "--description"],
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
  let index = 0;
  let splitFirst = false;
  let inputFile = false;
  let noExec = false;
  const writes: Array<string | null> = [];
  for (; index < args.length; index++) {
    const arg = args[index];
    if (arg === null || arg === undefined) break;
    if (arg === "--") {
      index++;
      break;
    }
    if (program === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
      env.push(arg.slice(0, arg.indexOf("=")));
      continue;
    }
    if (program === "sudo" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
      env.push(arg.slice(0, arg.indexOf("=")));
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    // `nice -19`, `nice -n5`
    if (program === "nice" && /^-\d+$/.test(arg)) continue;
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg.startsWith("--") ? arg : arg.slice(0, 2);
    if ((program === "command" && (arg === "-v" || arg === "-V")) || (program === "flock" && (arg === "-c" || arg === "--command")))
      noExec = true;
    if (program === "env" && (name === "-S" || name === "--split-string")) {
      splitFirst = true;
      const inline = arg.includes("=")
        ? arg.slice(arg.indexOf("=") + 1)
        : arg.length > 2 && !arg.startsWith("--")
          ? arg.slice(2)
          : undefined;
      if (inline !== undefined) return { argv: [inline, ...args.slice(index + 1)], env, splitFirst };
      return { argv: args.slice(index + 1), env, splitFirst };
    }
    if (program === "xargs" && (name === "-a" || name === "--arg-file")) inputFile = true;
    const separate = spec.values.includes(name) && !arg.includes("=") && (arg.startsWith("--") || arg.length === 2);
    if (outputOptions[program]?.includes(name)) {
      writes.push(arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : separate ? (args[index + 1] ?? null) : arg.slice(2));
    }
    if (separate) index++;
  }
  if (noExec) return { argv: [], env, ...(writes.length > 0 && { writes }) };
  index += spec.skipOperands ?? 0;
  let argv = args.slice(index);
  if (program === "watch") argv = argv.some((word) => word === null) ? ["sh", "-c", null] : ["sh", "-c", argv.join(" ")];
  if (program === "xargs" && argv.length === 0) argv = ["echo"];
  return { argv, env, ...(inputFile ? { inputFile } : {}), ...(writes.length > 0 && { writes }) };
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
