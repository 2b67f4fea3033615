import type { Analysis } from "./analyze-command.js";
import { filterInput } from "./nested-command.js";
import { options } from "./option-parser.js";
import type { Argv } from "./program-model.js";
import { childState, type ShellState } from "./shell-state.js";

/**
 * `sed`: its script's `e` command and `s///e` flag run shell commands, `w`/`W` and `s///w` write files,
 * `-i` edits the files in place; a script file (`-f`) could hold any of them. `--sandbox` refuses them all.
 */
export function runSed(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, {
    values: ["-e", "--expression", "-f", "--file", "-l", "--line-length"],
    long: [
      "--in-place",
      "--quiet",
      "--silent",
      "--regexp-extended",
      "--separate",
      "--sandbox",
      "--null-data",
      "--zero-terminated",
      "--posix",
      "--debug",
      "--unbuffered",
      "--follow-symlinks",
    ],
  });
  const scripts = [...(parsed.all.get("-e") ?? []), ...(parsed.all.get("--expression") ?? [])];
  const files = [...parsed.operands];
  if (scripts.length === 0 && !parsed.values.has("-f") && !parsed.values.has("--file")) scripts.push(files.shift() ?? null);
  const inPlace = [...parsed.flags].some((flag) => flag === "--in-place" || /^-[a-zA-Z]*i/.test(flag) || flag === "-i");
  if (inPlace || args.some((arg) => arg !== null && /^-[a-zA-Z]*i/.test(arg) && !arg.startsWith("--"))) {
    for (const file of files) analysis.path({ operation: "write", path: analysis.resolve(file, state), raw: file ?? "(unknown)", program });
  }
  if (parsed.flags.has("--sandbox")) return;
  if (parsed.values.has("-f") || parsed.values.has("--file")) {
    analysis.opaque("script-file", "sed -f runs a script file, which can run commands (e) and write files (w)", { program });
    return;
  }
  for (const script of scripts) {
    if (script === null) {
      analysis.opaque("dynamic-script", "a sed script only known at run time can run commands", { program });
      continue;
    }
    for (const effect of sedEffects(script)) {
      if (effect.run !== undefined) analysis.script(effect.run, childState(state));
      else if (effect.runsPatternSpace) analysis.opaque("dynamic-script", "sed's e flag runs the edited line as a command", { program });
      if (effect.write !== undefined)
        analysis.path({ operation: "write", path: analysis.resolve(effect.write, state), raw: effect.write, program });
    }
  }
}

/** The commands a sed script runs (`e cmd`) and the files it writes (`w file`). */
function sedEffects(script: string): Array<{ run?: string; runsPatternSpace?: boolean; write?: string }> {
  const effects: Array<{ run?: string; runsPatternSpace?: boolean; write?: string }> = [];
  for (const line of script.split(/\n|;(?=\s*[0-9$/]*\s*[ewW]\b)/)) {
    const command = line.replace(/^\s*(?:\d+|\$|\/(?:\\.|[^/])*\/)?(?:,(?:\d+|\$|\/(?:\\.|[^/])*\/))?\s*!?\s*/, "");
    const substitute = /^s(.)((?:\\.|(?!\1).)*)\1((?:\\.|(?!\1).)*)\1([gpiImMe0-9]*)(w\s+(.*))?$/.exec(command.trim());
    if (substitute) {
      if (substitute[4]?.includes("e")) {
        // `s/.*/CMD/e`: the whole line becomes CMD, which runs; any other pattern leaves the line's text in it.
        const whole = /^\^?\.\*\$?$/.test(substitute[2] ?? "");
        const separator = substitute[1] as string;
        effects.push(whole ? { run: (substitute[3] ?? "").split(`\\${separator}`).join(separator) } : { runsPatternSpace: true });
      }
      if (substitute[6]) effects.push({ write: substitute[6].trim() });
      continue;
    }
    const match = /^([ewW])(?:\s+(.*))?$/.exec(command.trim());
    if (!match) continue;
    if (match[1] === "e") effects.push(match[2] ? { run: match[2] } : { runsPatternSpace: true });
    else if (match[2]) effects.push({ write: match[2].trim() });
  }
  return effects;
}

/**
 * `awk`: a program that calls `system()`, pipes to or from a command (`print | "cmd"`, `"cmd" | getline`) runs
 * commands; `print > "file"` writes one. A program with none of them only computes. `-f` is a program file.
 */
export function runAwk(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  const parsed = options(args, {
    values: ["-F", "-v", "-f", "--file", "-E", "--exec", "-i", "--include", "-l", "--load"],
    stopAtOperand: true,
  });
  if (["-f", "--file", "-E", "--exec", "-i", "--include", "-l", "--load"].some((flag) => parsed.values.has(flag))) {
    analysis.opaque("script-file", `${program} runs a program file, which can run commands`, { program });
    return;
  }
  const text = parsed.operands[0];
  if (text === undefined) return;
  if (text === null) {
    analysis.opaque("dynamic-script", `${program} runs a program only known at run time`, { program });
    return;
  }
  const code = text.replace(/"(?:\\.|[^"\\])*"/g, (literal) => literal.replace(/[|>]/g, " "));
  // `system("cmd")`, `print | "cmd"`, `"cmd" | getline`: a literal command is analysed; any other is opaque.
  const literalCommands = [
    ...text.matchAll(/\bsystem\s*\(\s*"((?:\\.|[^"\\])*)"\s*\)/g),
    ...text.matchAll(/\|\s*"((?:\\.|[^"\\])*)"/g),
    ...text.matchAll(/"((?:\\.|[^"\\])*)"\s*\|\s*getline/g),
  ].map((match) => (match[1] as string).replace(/\\(.)/g, "$1"));
  for (const literal of literalCommands) analysis.script(literal, childState(state), filterInput);
  const systemCalls = (code.match(/\bsystem\s*\(/g) ?? []).length;
  const pipes = (code.match(/\|/g) ?? []).length - (code.match(/\|\|/g) ?? []).length * 2;
  if (systemCalls + Math.max(0, pipes) > literalCommands.length) {
    analysis.opaque("inline-code", `${program} runs commands built at run time (system(), pipes)`, { program });
  }
  for (const target of text.matchAll(/(?:print|printf)[^;}]*?>{1,2}\s*"([^"]+)"/g)) {
    analysis.path({ operation: "write", path: analysis.resolve(target[1] as string, state), raw: target[1] as string, program });
  }
  if (/(?:print|printf)[^;}]*?>{1,2}\s*[^"\s]/.test(code))
    analysis.opaque("inline-code", `${program} writes to a file named at run time`, { program });
}
