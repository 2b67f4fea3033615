import { posix } from "node:path";
import type { CommandNode } from "unbash";
import type { Analysis } from "./analyze-command.js";
import { fnmatchMatches } from "./glob-match.js";
import type { Argv } from "./program-model.js";
import { runProgram } from "./program-models.js";
import type { ShellState } from "./shell-state.js";

/** Options before the starting points (`find -P /usr`); `-D` and `-O` take a value. */
const leading = /^-(H|L|P|D|O\d*)$/;
/** Tests that select entries without running anything; `-maxdepth`/`-depth`/`-xdev` and the like select none. */
const valueTests = new Set(
  "-name -iname -path -ipath -wholename -iwholename -regex -iregex -type -xtype -mtime -mmin -atime -amin -ctime -cmin -newer -anewer -cnewer -newermt -size -user -group -uid -gid -perm -links -inum -samefile -lname -ilname -fstype -context -used -mindepth -maxdepth -regextype".split(
    " ",
  ),
);

/**
 * `find` deletes with `-delete`, runs programs with `-exec`/`-execdir`/`-ok`/`-okdir`, writes with `-fprint`.
 * Their effect is on every entry under each starting point, recursively; when a test before them excludes
 * the starting point itself (`-name 'x*'` that its name does not match, `-type f`, `-mindepth 1`), it is on
 * some entries below it only (`within`), not on the tree as a whole.
 */
export function runFind(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  let index = 0;
  while (index < args.length && args[index] !== null && leading.test(args[index] as string))
    index += /^-[DO]$/.test(args[index] as string) ? 2 : 1;
  const starts: Argv = [];
  while (index < args.length && (args[index] === null || !/^[-(!),]/.test(args[index] as string))) starts.push(args[index++] ?? null);
  if (starts.length === 0) starts.push(".");
  const tests: Argv = [];
  for (; index < args.length; index++) {
    const arg = args[index];
    if (arg === "-delete")
      effect(analysis, state, program, starts, tests, (start) =>
        runDelete(analysis, state, program, start, excludes(tests, start, analysis, state)),
      );
    else if (arg === "-fprint" || arg === "-fprint0" || arg === "-fprintf" || arg === "-fls") {
      const file = args[++index] ?? null;
      analysis.path({ operation: "write", path: analysis.resolve(file, state), raw: file ?? "(unknown)", program });
      if (arg === "-fprintf") index++;
    } else if (arg === "-exec" || arg === "-execdir" || arg === "-ok" || arg === "-okdir") {
      const command: Argv = [];
      for (index++; index < args.length && args[index] !== ";" && args[index] !== "+"; index++) command.push(args[index] ?? null);
      effect(analysis, state, program, starts, tests, (start) => {
        // The command runs on every entry under the start: as if on the start itself, recursively. Only its
        // effects on `{}` are limited by the tests (`within`), and only when no other word names the start.
        const argv = command.map((word) => (word?.includes("{}") ? (word === "{}" ? start : null) : word));
        const before = analysis.facts.paths.length;
        runProgram(analysis, argv, { env: [...state.exported], via: ["find"], stdin: { kind: "none" } }, state);
        const within =
          excludes(tests, start, analysis, state) && command.includes("{}") && !command.some((word) => word !== "{}" && word === start);
        for (const fact of analysis.facts.paths.slice(before)) {
          fact.recursive = true;
          if (within && fact.raw === start) fact.within = true;
        }
      });
    } else if (arg !== null && arg !== undefined && valueTests.has(arg)) {
      tests.push(arg, args[++index] ?? null);
    } else tests.push(arg ?? null);
  }
}

function effect(
  _analysis: Analysis,
  _state: ShellState,
  _program: string,
  starts: Argv,
  _tests: Argv,
  run: (start: string | null) => void,
): void {
  for (const start of starts) run(start);
}

function runDelete(analysis: Analysis, state: ShellState, program: string, start: string | null, within: boolean): void {
  analysis.path({
    operation: "delete",
    path: analysis.resolve(start, state),
    raw: start ?? "(unknown)",
    recursive: true,
    program,
    ...(within && { within }),
  });
}

/** Tests that select some entries by what they are (not all files, not all of a depth). */
const selectiveTests = new Set(
  "-name -iname -path -ipath -wholename -iwholename -regex -iregex -mtime -mmin -atime -amin -ctime -cmin -newer -anewer -cnewer -newermt -size -user -group -uid -gid -perm -links -inum -samefile -lname -ilname -empty -used -context -fstype -nouser -nogroup".split(
    " ",
  ),
);

/**
 * Whether the tests before an action select only some entries below the starting point: they leave the
 * starting point itself out (a name pattern it does not match, a type other than a directory, a minimum
 * depth of 1 or more) and select by what an entry is (`-name '*.pyc'`, `-mtime +7`), not everything of a
 * kind (`-type f` alone is every file, `-mindepth 1` alone everything). Anything else (`-o`, `!`, unknown
 * values) may select it all.
 */
function excludes(tests: Argv, start: string | null, analysis: Analysis, state: ShellState): boolean {
  if (tests.some((test) => test === null || test === "-o" || test === "-or" || test === "!" || test === "-not" || test === ","))
    return false;
  const everything = (value: string | null | undefined) => value === "*" || value === ".*" || value === "/*" || value === "*/*";
  let selective = false;
  for (let index = 0; index < tests.length; index++) {
    const test = tests[index];
    if (test === null || test === undefined || !selectiveTests.has(test)) continue;
    const value = valueTests.has(test) ? tests[index + 1] : undefined;
    if (!everything(value)) selective = true;
  }
  if (!selective) return false;
  const path = analysis.resolve(start, state);
  for (let index = 0; index < tests.length; index += 1) {
    const test = tests[index];
    const value = tests[index + 1];
    if (test === undefined || !valueTests.has(test as string)) continue;
    index++;
    if (value === null || value === undefined) continue;
    if ((test === "-name" || test === "-iname") && path !== null) {
      const name = path === "/" ? "/" : posix.basename(path);
      if (!fnmatchMatches(test === "-iname" ? value.toLowerCase() : value, test === "-iname" ? name.toLowerCase() : name)) return true;
    }
    if (test === "-type" && !value.includes("d")) return true;
    if (test === "-mindepth" && Number(value) >= 1) return true;
  }
  return false;
}

/** For a `find` stage: the trees whose entries it prints (its starting points), resolved; null when unknown. */
export function findStarts(node: CommandNode, analysis: Analysis, state: ShellState): string[] | null {
  if (node.type !== "Command" || node.name?.value !== "find") return null;
  const starts: string[] = [];
  for (const argument of node.suffix) {
    if (argument.type !== "Word") continue;
    const fields = analysis.value(argument, state);
    if (!fields.known) return null;
    const [first = ""] = fields.fields;
    if (/^-[HLPDO]/.test(first) && starts.length === 0) continue;
    if (/^[-(!]/.test(first)) break;
    for (const field of fields.fields) {
      const path = analysis.resolve(field, state);
      if (path === null) return null;
      starts.push(path);
    }
  }
  return starts.length > 0 ? starts : [analysis.resolve(".", state) ?? "."];
}
