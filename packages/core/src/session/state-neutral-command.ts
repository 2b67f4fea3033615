/**
 * Whether a command cannot change what the session tracks of its shell (exported variables, traps), so the
 * shell may skip reporting them: a list or pipeline of simple commands that run programs (or one of a few
 * builtins that change nothing), whose words hold no expansion. Returns the command names, which must be
 * neither functions nor aliases in the shell (see `ShellReport`), or undefined when the command may change
 * the state. Deliberately narrow: anything it does not recognise gets the full report.
 */
export function commandNamesIfStateNeutral(command: string): string[] | undefined {
  if (command.length > maxLength) return undefined;
  const names: string[] = [];
  // Position in the current simple command: expecting its name, or past it.
  let expectingName = true;
  let index = 0;
  while (index < command.length) {
    const char = command[index] as string;
    if (char === " " || char === "\t") {
      index++;
      continue;
    }
    if (char === "\n" || char === ";") {
      if (command[index + 1] === ";") return undefined;
      expectingName = true;
      index++;
      continue;
    }
    if (char === "|" || char === "&") {
      const next = command[index + 1];
      // `&&`, `||`, `|`, `|&`; a lone `&` (a background job) or `&>` (a redirection) is not a separator here.
      if (char === "&" && next !== "&") {
        if (next !== ">") return undefined;
      } else {
        index += next === char || (char === "|" && next === "&") ? 2 : 1;
        expectingName = true;
        continue;
      }
    }
    const redirection = redirectionAt(command, index);
    if (redirection) {
      index += redirection.length;
      if (!redirection.needsTarget) continue;
      while (command[index] === " " || command[index] === "\t") index++;
      // An empty target: the next character starts no word (`<<`, `<(`, end of input).
      const target = wordAt(command, index);
      if (!target) return undefined;
      index += target.length;
      continue;
    }
    const word = wordAt(command, index);
    if (word === undefined || word.length === 0) return undefined;
    index += word.length;
    if (expectingName) {
      if (!plainName.test(word) || keywords.has(word) || (builtins.has(word) && !harmlessBuiltins.has(word))) return undefined;
      if (!names.includes(word)) names.push(word);
      expectingName = false;
    }
  }
  return names;
}

/** Longer commands are rarely a plain program call, and scanning them is not worth it. */
const maxLength = 4096;

/** A command name that names a program or a builtin as written: no quoting, glob, tilde or assignment. */
const plainName = /^(?:[A-Za-z0-9_.,+@%:/-]+|\[)$/;

/**
 * The redirection operator at `index`, with its fd number: `2>&1` and `>&-` are whole, the others take a
 * target word. Undefined when there is none (a digit run without an operator is a word: `echo 2`).
 */
function redirectionAt(command: string, index: number): { length: number; needsTarget: boolean } | undefined {
  const text = command.slice(index, index + 16);
  const whole = /^\d*[<>]&(?:-|\d+)(?=[\s;|&<>]|$)/.exec(text);
  if (whole) return { length: whole[0].length, needsTarget: false };
  const operator = /^(?:&>>?|\d*(?:>>|>\||<>|>&|<&|>|<))/.exec(text);
  return operator ? { length: operator[0].length, needsTarget: true } : undefined;
}

/**
 * The word at `index`: unquoted characters without expansion, single-quoted text, and double-quoted text
 * without `$`, backquotes, backslashes or `!`. Undefined for anything else.
 */
function wordAt(command: string, index: number): string | undefined {
  let end = index;
  while (end < command.length) {
    const char = command[end] as string;
    if (char === "'") {
      const close = command.indexOf("'", end + 1);
      if (close === -1) return undefined;
      end = close + 1;
    } else if (char === '"') {
      const close = command.indexOf('"', end + 1);
      if (close === -1 || /[$`\\!]/.test(command.slice(end + 1, close))) return undefined;
      end = close + 1;
    } else if (wordCharacter.test(char)) end++;
    else if (" \t\n;|&<>".includes(char)) break;
    else return undefined;
  }
  return command.slice(index, end);
}

/** Characters a word may hold unquoted: no `$`, backquote, backslash, `!`, `#`, `~`, parentheses or braces. */
const wordCharacter = /^[A-Za-z0-9_.,+@%:/=*?[\]^-]$/;

const keywords: ReadonlySet<string> = new Set([
  ...["!", "[[", "]]", "{", "}", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for"],
  ...["function", "if", "in", "select", "then", "time", "until", "while"],
]);

/** Builtins that change nothing the session tracks, whatever their arguments (not `printf`: `-v`). */
const harmlessBuiltins: ReadonlySet<string> = new Set(["true", "false", "echo", "test", "[", ":"]);

/** Bash 5's builtins (`enable -a`), which run inside the shell and may change it. */
const builtins: ReadonlySet<string> = new Set([
  ...[".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command", "compgen", "complete"],
  ...["compopt", "continue", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit", "export"],
  ...["false", "fc", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout"],
  ...["mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "set", "shift"],
  ...["shopt", "source", "suspend", "test", "times", "trap", "true", "type", "typeset", "ulimit", "umask"],
  ...["unalias", "unset", "wait"],
]);
